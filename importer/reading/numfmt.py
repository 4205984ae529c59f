"""The grammar of a spreadsheet number format code (Excel's, which LibreOffice shares): a code such
as ``#,##0.00;[Red](#,##0.00);"-";@`` -> its sections, each a list of tokens plus what the section
is (a number, a date or time, a duration, General, text or only literal words).

Only the parsing lives here; reading/display.py renders a value through a parsed format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Section", "Format", "parse", "BUILTIN_FORMATS"]

# Excel's built-in number formats by id (the ids a .xlsx may use without spelling the code).
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);\\("$"#,##0\\)', 6: '"$"#,##0_);[Red]\\("$"#,##0\\)',
    7: '"$"#,##0.00_);\\("$"#,##0.00\\)', 8: '"$"#,##0.00_);[Red]\\("$"#,##0.00\\)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy",
    15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)", 40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
}

_CONDITION = re.compile(r"(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d*)?)")
_ELAPSED = re.compile(r"h+|m+|s+", re.IGNORECASE)
DATE_LETTERS = "ymdhs"


@dataclass
class Section:
    tokens: list[tuple[str, str]]
    kind: str  # number | date | duration | general | text | literal
    condition: tuple[str, float] | None = None
    percent: int = 0  # how many '%' (each multiplies by 100)
    currency: bool = False  # a [$€-407] currency or a quoted currency symbol
    language: int = 0x09  # the language of month and day names ([$-407]: German, 0x07)

    @property
    def literal_text(self) -> str:
        return "".join(v for k, v in self.tokens if k == "lit")


@dataclass
class Format:
    code: str
    sections: list[Section] = field(default_factory=list)

    @property
    def is_general(self) -> bool:
        return all(s.kind in ("general", "text") for s in self.sections) and not any(
            s.literal_text.strip() for s in self.sections)


def split_sections(code: str) -> list[str]:
    """';' separates sections except inside quotes, brackets or after a backslash."""
    parts, start, i, n = [], 0, 0, len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            i = n if end < 0 else end
        elif ch == "\\" or ch in "_*":
            i += 1
        elif ch == "[":
            end = code.find("]", i)
            i = n if end < 0 else end
        elif ch == ";":
            parts.append(code[start:i])
            start = i + 1
        i += 1
    parts.append(code[start:])
    return parts


# Excel's "system" formats: the long date and time of the machine (LibreOffice shows these).
_SYSTEM = {"[$-F800]": "dddd, mmmm d, yyyy", "[$-F400]": "hh:mm:ss AM/PM"}


@lru_cache(maxsize=4096)
def parse(code: str) -> Format:
    """A format code -> its sections (cached: a sheet uses a handful of codes)."""
    text = code or "General"
    for tag, system in _SYSTEM.items():
        if tag.lower() in text.lower():
            text = system
    return Format(code, [_section(part) for part in split_sections(text)])


def _section(text: str) -> Section:
    tokens, condition, currency, language = _tokenize(text)
    kinds = {k for k, _ in tokens}
    if "elapsed" in kinds:
        kind = "duration"
    elif kinds & {"date", "ampm"}:
        kind = "date"
    elif "general" in kinds:
        kind = "general"
    elif "digit" in kinds:
        kind = "number"
    elif "text" in kinds:
        kind = "text"
    else:
        kind = "literal"
    percent = sum(1 for k, _ in tokens if k == "percent") if kind == "number" else 0
    return Section(tokens, kind, condition, percent, currency, language)


def _tokenize(s: str) -> tuple[list[tuple[str, str]], tuple[str, float] | None, bool, int]:
    tokens: list[tuple[str, str]] = []
    condition = None
    currency = False
    language = 0x09
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        low = ch.lower()
        if ch == '"':
            end = s.find('"', i + 1)
            end = n if end < 0 else end
            literal = s[i + 1:end]
            currency = currency or _is_currency(literal)
            tokens.append(("lit", literal))
            i = end + 1
        elif ch == "\\":
            tokens.append(("lit", s[i + 1:i + 2]))
            i += 2
        elif ch == "_":
            tokens.append(("lit", " "))  # room for the next character: a space when shown
            i += 2
        elif ch == "*":
            i += 2  # fill to the cell's width: no character of its own in the shown text
        elif ch == "[":
            end = s.find("]", i)
            end = n if end < 0 else end
            content = s[i + 1:end]
            if _ELAPSED.fullmatch(content):
                tokens.append(("elapsed", content.lower()))
            elif content.startswith("$"):
                symbol, _, lcid = content[1:].partition("-")
                if symbol:
                    currency = True
                    tokens.append(("lit", symbol))
                try:
                    language = int(lcid, 16) & 0x3FF if lcid else language
                except ValueError:
                    pass
            elif _CONDITION.fullmatch(content.strip()):
                op, number = _CONDITION.fullmatch(content.strip()).groups()
                condition = (op, float(number))
            i = end + 1  # colours, [DBNum1], locale tags: nothing shown
        elif ch in "0#?":
            tokens.append(("digit", ch))
            i += 1
        elif ch in ".,%/@":
            tokens.append(({".": "point", ",": "comma", "%": "percent", "/": "slash",
                            "@": "text"}[ch], ch))
            i += 1
        elif low == "e" and s[i + 1:i + 2] in ("+", "-") and _has_digits(tokens):
            tokens.append(("exp", s[i + 1]))
            i += 2
        elif s[i:i + 5].upper() == "AM/PM":
            tokens.append(("ampm", s[i:i + 5]))
            i += 5
        elif s[i:i + 3].upper() == "A/P":
            tokens.append(("ampm", s[i:i + 3]))
            i += 3
        elif s[i:i + 7].lower() == "general":
            tokens.append(("general", ""))
            i += 7
        elif low in DATE_LETTERS:
            j = i
            while j < n and s[j].lower() == low:
                j += 1
            tokens.append(("date", s[i:j].lower()))
            i = j
        else:
            currency = currency or _is_currency(ch)
            tokens.append(("lit", ch))
            i += 1
    return tokens, condition, currency, language


def _has_digits(tokens: list[tuple[str, str]]) -> bool:
    return any(k == "digit" for k, _ in tokens)


def _is_currency(text: str) -> bool:
    import unicodedata

    return any(unicodedata.category(ch) == "Sc" for ch in text)
