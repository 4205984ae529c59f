"""OpenDocument number styles -> the equivalent Excel format code, so an .ods cell goes through
the same reading/display.py as an .xlsx one.

    codes = ods_cell_style_codes(content_root, styles_root)  # {'ce3': '#,##0.00', ...}

number:number, percentage, currency, scientific, fraction, date and time styles (with
truncate-on-overflow="false" as [h]), literal number:text, and style:map conditions (LibreOffice
writes 0.00;-0.00 as a positive style mapped by value()>=0 plus the negative one).
"""
from __future__ import annotations

from xml.etree import ElementTree

from importer.reading.formats import visible_change
from importer.reading.names import ODS_LANGUAGES

NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
LOEXT = "{urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0}"
DATA_STYLES = ("number-style", "percentage-style", "currency-style", "date-style", "time-style",
               "boolean-style", "text-style")


def ods_cell_style_codes(*roots) -> dict[str, str]:
    """Cell style name -> format code, for the cell styles whose data style changes a value."""
    data = {}
    cells = {}
    for root in roots:
        if root is None:
            continue
        for el in root.iter():
            tag = el.tag
            if tag.startswith(NUMBER) and tag[len(NUMBER):] in DATA_STYLES:
                data[el.get(f"{STYLE}name")] = el
            elif tag == f"{STYLE}style" and el.get(f"{STYLE}family") == "table-cell":
                name = el.get(f"{STYLE}data-style-name")
                if name:
                    cells[el.get(f"{STYLE}name")] = name
    out = {}
    for cell_style, data_name in cells.items():
        if data_name in data:
            code = _code(data_name, data, 0)
            if visible_change(code):
                out[cell_style] = code
    return out


def _code(name: str, data: dict, depth: int) -> str:
    el = data.get(name)
    if el is None or depth > 4:
        return "General"
    body = _body(el)
    maps = [(m.get(f"{STYLE}condition", "").replace("value()", "").replace(" ", ""),
             _code(m.get(f"{STYLE}apply-style-name", ""), data, depth + 1))
            for m in el if m.tag == f"{STYLE}map"]
    if not maps:
        return body
    conditions = [c for c, _ in maps]
    if conditions == [">=0"]:
        return f"{maps[0][1]};{body}"
    if conditions == [">0", "<0"]:
        return f"{maps[0][1]};{maps[1][1]};{body}"
    if conditions == [">0", "<0", "=0"]:  # the main style is the text section
        return f"{maps[0][1]};{maps[1][1]};{maps[2][1]};{body}"
    return "".join(f"[{c}]{code};" for c, code in maps) + body


def _body(el) -> str:
    kind = el.tag[len(NUMBER):]
    out = []
    language = ODS_LANGUAGES.get(el.get(f"{NUMBER}language") or "")
    if kind in ("date-style", "time-style") and language not in (None, 0x09):
        out.append(f"[$-{0x400 | language:X}]")  # month and day names in that language
    for part in el:
        tag = part.tag[len(NUMBER):] if part.tag.startswith(NUMBER) else ""
        text = part.text or ""
        if tag == "number":
            out.append(_number(part))
        elif tag == "scientific-number":
            out.append(_scientific(part))
        elif tag == "fraction":
            out.append(_fraction(part))
        elif tag == "text":
            out.append("%" if kind == "percentage-style" and text.strip() == "%" else (
                text.replace("%", '"%"') if kind == "percentage-style" else _quote(text)))
        elif tag == "currency-symbol":
            out.append(_quote(text or "$"))  # empty: the default locale's (en-US) symbol
        elif tag == "text-content":
            out.append("@")
        elif tag == "boolean":
            return '"TRUE";"TRUE";"FALSE"'
        elif kind in ("date-style", "time-style"):
            out.append(_date_part(tag, part, el))
    if not len(el):
        return '""'  # a style with nothing in it shows nothing (';;;')
    return "".join(out) or "General"


def _quote(text: str) -> str:
    return '"' + text.replace('"', "") + '"'  # an empty text still shows nothing, not General


def _int(el, name: str, default: int = 0) -> int:
    value = el.get(f"{NUMBER}{name}") or el.get(f"{LOEXT}{name}")
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _number(el) -> str:
    places = _int(el, "decimal-places")
    least = _int(el, "min-decimal-places", places)
    whole = _int(el, "min-integer-digits", 1)
    if el.get(f"{NUMBER}grouping") == "true":
        digits = "#" * max(0, 4 - whole) + "0" * whole
        head = len(digits) % 3 or 3
        text = ",".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])
    else:
        text = "0" * whole or "#"
    embedded = sorted(((_int(e, "position"), e.text or "") for e in el
                       if e.tag == f"{NUMBER}embedded-text"), reverse=True)
    if embedded and "," not in text:  # '###-####': text between the digits
        width = max(whole, embedded[0][0] + 1)
        digits = "#" * (width - whole) + "0" * whole
        for position, literal in embedded:
            cut = len(digits) - position
            digits = digits[:cut] + _quote(literal) + digits[cut:]
        text = digits
    if places:
        text += "." + "0" * least + "#" * (places - least)
    factor = el.get(f"{NUMBER}display-factor")
    if factor:
        text += "," * ((len(str(int(float(factor)))) - 1) // 3)
    return text


def _scientific(el) -> str:
    places = _int(el, "decimal-places")
    whole = _int(el, "min-integer-digits", 1)
    interval = _int(el, "exponent-interval", 1)
    head = "#" * (interval - whole) + "0" * whole if interval > whole else "0" * whole
    tail = "." + "0" * places if places else ""
    return f"{head}{tail}E+{'0' * _int(el, 'min-exponent-digits', 2)}"


def _fraction(el) -> str:
    whole = el.get(f"{NUMBER}min-integer-digits")
    numerator = "?" * max(1, _int(el, "min-numerator-digits", 1))
    fixed = el.get(f"{NUMBER}denominator-value")
    denominator = fixed or "?" * max(1, _int(el, "min-denominator-digits", 1))
    head = ("0" * int(whole) if whole and int(whole) else "#") + " " if whole is not None else ""
    return f"{head}{numerator}/{denominator}"


def _date_part(tag: str, part, style) -> str:
    long = part.get(f"{NUMBER}style") == "long"
    if tag == "day":
        return "dd" if long else "d"
    if tag == "month":
        if part.get(f"{NUMBER}textual") == "true":
            return "mmmm" if long else "mmm"
        return "mm" if long else "m"
    if tag == "year":
        return "yyyy" if long else "yy"
    if tag == "day-of-week":
        return "dddd" if long else "ddd"
    if tag == "hours":
        hours = "hh" if long else "h"
        if style.get(f"{NUMBER}truncate-on-overflow") == "false":
            return f"[{hours}]"
        return hours
    if tag == "minutes":
        minutes = "mm" if long else "m"
        overflow = style.get(f"{NUMBER}truncate-on-overflow") == "false"
        if overflow and style.find(f"{NUMBER}hours") is None:
            return f"[{minutes}]"
        return minutes
    if tag == "seconds":
        places = _int(part, "decimal-places")
        return ("ss" if long else "s") + ("." + "0" * places if places else "")
    if tag == "am-pm":
        return "AM/PM"
    if tag == "text":
        return _quote(part.text or "")
    return ""
