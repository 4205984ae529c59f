"""Month and day names by the language of a format's locale tag ([$-407] is German), as
LibreOffice shows them; English when the format names no language or one not listed here."""
from __future__ import annotations

# language id (the low 10 bits of the LCID) -> (months, month abbreviations, days, day
# abbreviations); days start on Monday.
NAMES = {
    0x09: (("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"), None,
           ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), None),
    0x07: (("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
            "Oktober", "November", "Dezember"),
           ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"),
           ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
           ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")),
    0x0C: (("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
            "octobre", "novembre", "décembre"),
           ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc."),
           ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
           ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")),
    0x0A: (("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
            "septiembre", "octubre", "noviembre", "diciembre"),
           ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
           ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
           ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")),
    0x10: (("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
            "settembre", "ottobre", "novembre", "dicembre"),
           ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"),
           ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
           ("lun", "mar", "mer", "gio", "ven", "sab", "dom")),
    0x13: (("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
            "september", "oktober", "november", "december"),
           ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
           ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
           ("ma", "di", "wo", "do", "vr", "za", "zo")),
}
# The date separator a '/' in a date format shows, by language ([$-407]d/mm/yyyy: 1.03.2026)
DATE_SEPARATORS = {0x07: ".", 0x13: "-"}
# ODS number:language -> the language id above
ODS_LANGUAGES = {"en": 0x09, "de": 0x07, "fr": 0x0C, "es": 0x0A, "it": 0x10, "nl": 0x13}


def month_name(language: int, month: int, abbreviated: bool) -> str:
    months, short, _, _ = NAMES.get(language, NAMES[0x09])
    if abbreviated:
        return short[month - 1] if short else months[month - 1][:3]
    return months[month - 1]


def day_name(language: int, weekday: int, abbreviated: bool) -> str:
    _, _, days, short = NAMES.get(language, NAMES[0x09])
    if abbreviated:
        return short[weekday] if short else days[weekday][:3]
    return days[weekday]
