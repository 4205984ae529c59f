"""Fractions through a format section (``# ?/?``, ``# ??/16``, ``?/8``): which fraction a number
shows and how it is laid out. Used by reading/display.py only.

- A fixed denominator (``# ??/16``) rounds the number to sixteenths, the same in every program.
- A bounded one (``# ??/??``: at most 99) is chosen the way the program that saved the file
  chooses it. Excel takes the last convergent of the number's continued fraction whose
  denominator fits, computed in binary floating point (Aberth's method, as SheetJS' ``frac.cont``
  reproduces Excel: 12.3 under ``# ?/?`` is ``12 1/3``, 0.3 is `` 2/7``); LibreOffice takes the
  closest fraction (12.3 is ``12 2/7``).
"""
from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Callable

from importer.reading.program import EXCEL

# Excel never looks further than 7 digits of denominator, whatever the placeholders say
_MAX_DIGITS = 7


def excel_fraction(x: float, bound: int) -> tuple[int, int]:
    """(numerator, denominator) of x >= 0 as Excel picks it, denominator at most ``bound``: the
    continued fraction's convergents in floating point (its rounding is part of Excel's answer),
    stopping below 5e-8 or at the bound, then the last convergent that fits."""
    b = float(x)
    p2, p1, q2, q1 = 0, 1, 1, 0
    p = q = 0
    while q1 < bound:
        a = math.floor(b)
        p, q = a * p1 + p2, a * q1 + q2
        if b - a < 0.00000005:
            break
        b = 1 / (b - a)
        p2, p1, q2, q1 = p1, p, q1, q
    if q > bound:
        p, q = (p2, q2) if q1 > bound else (p1, q1)
    return p, max(q, 1)


def render(tokens: list[tuple[str, str]], slash: int, v: Decimal, x: float, program: str | None,
           fill_whole: Callable[[list[tuple[str, str]], str], str]) -> tuple[str, Decimal, bool]:
    """The fraction's text (whole part, numerator, '/', denominator), the number it shows and
    whether that number is exact as a decimal (1/4 is, 1/3 is not). ``tokens`` are the section's
    tokens from the first placeholder to the denominator's last digit, ``slash`` the index of '/'
    among them, ``v`` the absolute value in the shown scale, ``x`` the same as a float;
    ``fill_whole`` puts the whole part's digits through its placeholders."""
    start = slash
    while start > 0 and tokens[start - 1][0] == "digit":
        start -= 1
    num_places = [val for _, val in tokens[start:slash]]
    whole_tokens = tokens[:start]
    has_whole = any(k == "digit" for k, _ in whole_tokens)
    den_text = "".join(val for k, val in tokens[slash + 1:] if k == "digit" or (
        k == "lit" and val.isdigit()))
    fixed = int(den_text) if den_text.isdigit() and den_text.strip("0") else None
    excel = program == EXCEL and math.isfinite(x)  # (a thousand '%' can overflow a float)
    width = len(den_text)
    if fixed:
        whole = int(v.to_integral_value(ROUND_FLOOR)) if has_whole else 0
        num, den = int(((Fraction(v) - whole) * fixed + Fraction(1, 2)) // 1), fixed
    elif excel:
        digits = max(min(max(len(num_places), len(den_text)) if has_whole else len(den_text),
                         _MAX_DIGITS), 1)
        width = digits if has_whole else width
        num, den = excel_fraction(abs(x), 10 ** digits - 1)
        whole, num = divmod(num, den) if has_whole else (0, num)
    else:
        whole = int(v.to_integral_value(ROUND_FLOOR)) if has_whole else 0
        approx = (Fraction(v) - whole).limit_denominator(max(10 ** len(den_text) - 1, 1))
        num, den = approx.numerator, approx.denominator
    if has_whole and num == den:
        whole, num = whole + 1, 0
    num_width = width if excel and has_whole and not fixed else (
        num_places.count("?") + num_places.count("0"))
    pieces = []
    if has_whole:
        pieces.append(fill_whole(whole_tokens, str(whole) if whole else ""))
    if num == 0 and has_whole and "0" not in num_places:
        pieces.append(" " * (num_width + 1 + (len(den_text) if fixed else width)))
        if not whole and not pieces[0].strip():
            pieces[0] = "0" + pieces[0].lstrip()
    else:
        den = den or 1
        pieces.append(str(num).rjust(num_width, " ") + "/"
                      + (str(den) if fixed else str(den).ljust(width, " ")))
    shown = Fraction(whole) + Fraction(num, den or 1)
    exact = _terminates(shown)
    value = Decimal(shown.numerator) / Decimal(shown.denominator)
    return "".join(pieces), value, exact


def _terminates(f: Fraction) -> bool:
    """Whether the fraction has a finite decimal expansion (its denominator is 2^a * 5^b)."""
    d = f.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1
