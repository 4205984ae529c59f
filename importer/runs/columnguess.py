"""The likely field for each header of a sheet, for the page's column-naming panel.

    guess_fields(entity, [("A", "Artikelnummer"), ("B", "Preis")], {"A": ["4711-A", ...]})
    # -> {"A": "PART_ID", "B": "SO_UNIT_PRICE"}

A suggestion only: the person chooses, and reading still matches headers by its own rules
(reading/fieldnames.py). Evidence, strongest first: the field's name or a built-in alias, a typo of
one (an edit or two away), a word other offices write for it (German, French, Spanish, Dutch,
Italian), then what the sample values look like (dates, currency codes, prices, quantities,
percentages, ids). Each field is suggested for one column at most.
"""
from __future__ import annotations

import re

from importer.entities import Entity, Kind
from importer.reading.fieldnames import Names, header_key
from importer.reading.options import ReadOptions

# Words in the headers other offices write, by what the field is (checked as parts of the header).
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("customer_part", ("KUNDENARTIKEL", "KUNDENTEILE", "REFCLIENT", "ARTICULOCLIENTE")),
    ("customer", ("KUNDE", "KUNDNR", "CLIENT", "CLIENTE", "KLANT", "DEBITOR")),
    ("part", ("ARTIKEL", "MATERIAL", "TEIL", "ARTICLE", "REFERENCE", "ARTICULO", "ARTIKELNR",
              "PRODUKT", "PRODUIT", "PRODUCTO", "ARTICOLO", "CODICE")),
    ("end", ("GULTIGBIS", "GUELTIGBIS", "BIS", "ENDE", "FIN", "TOT", "JUSQU", "HASTA", "FINO")),
    ("start", ("GULTIGAB", "GUELTIGAB", "AB", "DATUM", "VALIDE", "DESDE", "VANAF", "DATE",
               "DATA", "FECHA", "INIZIO", "BEGINN")),
    ("currency", ("WAHRUNG", "WAEHRUNG", "WHRUNG", "DEVISE", "MONEDA", "VALUTA", "MONNAIE")),
    ("discount", ("RABATT", "REMISE", "DESCUENTO", "KORTING", "SCONTO")),
    ("quantity", ("MENGE", "STAFFEL", "QUANTITE", "CANTIDAD", "AANTAL", "QUANTITA", "ABMENGE")),
    ("price", ("PREIS", "PRIX", "PRECIO", "PRIJS", "PREZZO", "BETRAG", "EURO")),
    ("notes", ("BEMERKUNG", "NOTIZ", "HINWEIS", "KOMMENTAR", "REMARQUE", "COMENTARIO",
               "OPMERKING", "NOTE")),
    ("code", ("PREISLISTE", "LISTE", "TARIF", "LISTA", "PRIJSLIJST")),
)
_CURRENCIES = {"EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN",
               "CZK", "HUF", "MXN", "BRL", "INR"}
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_DECIMAL = re.compile(r"-?[\d.,' ]*\d[.,]\d{1,4}")
_INTEGER = re.compile(r"\d{1,7}")
_PERCENT = re.compile(r"-?\d+([.,]\d+)?\s*%")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]*\d[A-Za-z0-9./_-]*|0\d+")


def guess_fields(entity: Entity, headers: list[tuple[str, str]],
                 samples: dict[str, list[str]], options: ReadOptions | None = None
                 ) -> dict[str, str]:
    """Column letter -> the likely field of ``entity`` (columns without a likely one left out)."""
    names = Names(entity, options or ReadOptions())
    scored: list[tuple[int, int, str, str]] = []  # (strength, order, letter, field)
    for order, (letter, header) in enumerate(headers):
        for strength, field in _candidates(entity, names, header, samples.get(letter, [])):
            scored.append((strength, -order, letter, field))
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for _, _, letter, field in sorted(scored, reverse=True):
        if letter not in chosen and field not in taken:
            chosen[letter] = field
            taken.add(field)
    return {letter: chosen[letter] for letter, _ in headers if letter in chosen}


def _candidates(entity: Entity, names: Names, header: str, values: list[str]):
    found = names.match(header)
    if found.field:
        yield 100, found.field
        return
    close = names.close_to(header)
    if close:
        yield 80, close
    key = header_key(header)
    shape = _shape(values)
    for role, words in _WORDS:
        if any(word in key for word in words):
            for rank, field in enumerate(_fields_for(entity, role)):
                yield 60 + (5 if shape in _ROLE_SHAPES.get(role, ()) else 0) - rank, field
    fields = [f for role in _SHAPE_ROLES.get(shape, ()) for f in _fields_for(entity, role)]
    for rank, field in enumerate(fields):  # the more likely one first (a start before an end)
        yield 30 - rank, field


_ROLE_SHAPES = {"start": ("date",), "end": ("date",), "currency": ("currency",),
                "price": ("decimal",), "quantity": ("integer",), "discount": ("percent",
                                                                              "decimal")}
_SHAPE_ROLES = {"date": ("start", "end"), "currency": ("currency",), "decimal": ("price",),
                "integer": ("quantity",), "percent": ("discount",), "id": ("part",)}


def _shape(values: list[str]) -> str | None:
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return None
    for shape, test in (("date", _DATE.fullmatch), ("percent", _PERCENT.fullmatch),
                        ("currency", lambda v: v.upper() in _CURRENCIES),
                        ("integer", _INTEGER.fullmatch), ("decimal", _DECIMAL.fullmatch),
                        ("id", _ID.fullmatch)):
        if all(test(v) for v in values):
            return shape
    return None


def _fields_for(entity: Entity, role: str) -> list[str]:
    """The entity's fields that play ``role``, most likely first."""
    fields = entity.fields
    if role == "part":
        return [f.name for f in fields if f.name == "PART_ID"]
    if role == "customer":
        return [f.name for f in fields if f.name == "CUSTOMER_ID"]
    if role == "customer_part":
        return [f.name for f in fields if f.name == "CUST_PART_ID"]
    if role == "start":
        return [f.name for f in fields if f.kind is Kind.DATE and "END" not in f.name]
    if role == "end":
        return [f.name for f in fields if f.kind is Kind.DATE and "END" in f.name]
    if role == "currency":
        return [f.name for f in fields if f.currency]
    if role == "price":
        return [f.name for f in fields if f.unit_price]
    if role == "quantity":
        return [f.name for f in fields if f.quantity_break]
    if role == "discount":
        return [f.name for f in fields if f.kind is Kind.PERCENT]
    if role == "notes":
        return [f.name for f in fields if f.kind is Kind.LONG_TEXT]
    if role == "code":
        return [f.name for f in fields if f.name == "PRICE_CODE"]
    return []
