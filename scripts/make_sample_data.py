"""Write the sample files in sample_data/ (deterministic: run it again and the data are the same).

    python scripts/make_sample_data.py [OUT_DIR]     # default: sample_data/

- price_list.xlsx: a monthly product-price list over the sandbox's demo parts (leading-zero ids
  as text cells, 4711 as a number cell), several price codes, quantity breaks with falling prices,
  effective and end dates as date cells, a few currencies, notes. Fully valid and importable.
- customer_parts.xlsx: customer part numbers over the demo customers and parts.
- price_list_mistakes.xlsx / customer_parts_mistakes.xlsx: one deliberate mistake of each kind
  `importer validate` catches; each row's NOTES says what is wrong.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from importer.entities import CUSTOMER_PART, NOTES_MAX_CHARS, PRODUCT_PRICE, Kind  # noqa: E402
from importer.sandbox.demo import DEMO_CUSTOMERS, DEMO_PARTS  # noqa: E402

OUT = ROOT / "sample_data"
SEED = 20261201
EFFECTIVE = dt.date(2026, 12, 1)
END = dt.date(2027, 11, 30)
PRICE_CODES = {"LP": ("USD", 1.0), "DL": ("USD", 0.82), "EX": ("EUR", 0.93), "UK": ("GBP", 0.79),
               "CA": ("CAD", 1.37)}
BREAKS = (1, 10, 50, 100)
# Workbooks carry a fixed creation date so rebuilding them changes nothing.
FIXED_TIME = dt.datetime(2026, 11, 1, 8, 0, 0)


def sellable_parts() -> list[dict[str, str]]:
    return [p for p in DEMO_PARTS if p["PART_STATUS"] == "A"]


def price_rows(rng: random.Random) -> list[dict]:
    rows = []
    for part in sellable_parts():
        base = float(part["STD_UNIT_COST"]) * rng.uniform(1.35, 1.8)
        codes = ["LP", "DL"] + rng.sample(["EX", "UK", "CA"], k=rng.choice([0, 1, 2]))
        for code in codes:
            currency, factor = PRICE_CODES[code]
            breaks = BREAKS if code in ("LP", "DL") else BREAKS[:2]
            for n, qty in enumerate(breaks):
                price = round(base * factor * (1 - 0.04 * n), 3 if base < 1 else 2)
                rows.append({
                    "PART_ID": part["PART_ID"], "PRICE_CODE": code, "EFFECTIVE_DATE": EFFECTIVE,
                    "ORDER_QTY": qty, "END_DATE": END, "CURR_CODE": currency,
                    "SO_UNIT_PRICE": price, "ITEM_DISC_PCT": rng.choice([0, 0, 2.5, 5, 10]),
                    "NOTES": f"{part['PART_DESC']}, from {qty} {part['PART_UM']}"
                             if n == 0 else None,
                })
    return rows


def customer_part_rows(rng: random.Random) -> list[dict]:
    rows, seen = [], set()
    parts = sellable_parts()
    while len(rows) < 48:
        customer = rng.choice(DEMO_CUSTOMERS)["CUSTOMER_ID"]
        part = rng.choice(parts)
        key = (part["PART_ID"], customer)
        if key in seen:
            continue
        seen.add(key)
        rows.append({
            "PART_ID": part["PART_ID"], "CUSTOMER_ID": customer,
            "CUST_PART_ID": f"{customer[:3]}-{rng.randint(10000, 99999)}",
            "SO_DESC": part["PART_DESC"], "SO_UM": part["PART_UM"],
            "PARTIAL_SHIP": rng.choice(["Y", "N"]), "EARLY_SHIP": rng.choice(["Y", "N"]),
            "PRICE_CODE": rng.choice(["LP", "DL"]), "CURR_CODE": "USD",
            "QUOTE_UNIT_PRIC": round(float(part["STD_UNIT_COST"]) * 1.5, 2),
            "NOTES": rng.choice([None, "Quoted by phone", "Annual contract"]),
        })
    return rows


def write(path: Path, entity, fields: list[str], rows: list[dict], sheet: str,
          hidden_rows: tuple[int, ...] = ()) -> None:
    """A workbook like the template: header row, id columns as text, date cells as dates."""
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = sheet
    ws.append(fields)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row.get(f) for f in fields])
    for col, name in enumerate(fields, start=1):
        kind = entity.field(name).kind if entity.has_field(name) else Kind.TEXT
        fmt = {Kind.ID: "@", Kind.DATE: "yyyy-mm-dd"}.get(kind)
        for r in range(2, len(rows) + 2):
            cell = ws.cell(r, col)
            if fmt and not (kind is Kind.ID and isinstance(cell.value, (int, float))):
                cell.number_format = fmt
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = max(12, len(name) + 2)
    for r in hidden_rows:
        ws.row_dimensions[r].hidden = True
    ws.freeze_panes = "A2"
    wb.save(path)
    make_reproducible(path)


def make_reproducible(path: Path) -> None:
    """Fixed timestamps inside the zip and in docProps, so a rebuild gives the same bytes."""
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp,
                              data)
            zf.writestr(zipfile.ZipInfo(name, FIXED_TIME.timetuple()[:6]), data,
                        zipfile.ZIP_DEFLATED)


def mistake_rows() -> list[dict]:
    d = {"PRICE_CODE": "LP", "EFFECTIVE_DATE": EFFECTIVE, "END_DATE": END, "CURR_CODE": "USD",
         "ITEM_DISC_PCT": 0}

    def row(part, qty, price, note, **kw):
        return {**d, "PART_ID": part, "ORDER_QTY": qty, "SO_UNIT_PRICE": price,
                "NOTES": f"Mistake: {note}", **kw}

    too_long = "Mistake: too-long - NOTES is longer than 32,765 characters. "
    return [
        row("PUMP001", 1, 199.0, "correct row, no mistake."),
        row(None, 1, 10.0, "missing-value - PART_ID is empty."),
        row("PUMP002", 1, 650.0, "invalid-date - EFFECTIVE_DATE 2026-02-30 does not exist.",
            EFFECTIVE_DATE="2026-02-30"),
        row("PUMP003", "ten", 990.0, "not-a-number - ORDER_QTY is the word ten."),
        row("PUMP004", 1, -132.4, "negative-number - SO_UNIT_PRICE is negative."),
        row("PUMP005", 1, 190.0, "percent-out-of-range - ITEM_DISC_PCT is 120.", ITEM_DISC_PCT=120),
        row("PUMP006", 1, 110.0, None, NOTES=too_long + "x" * (NOTES_MAX_CHARS + 1 - len(too_long))),
        row("PUMP007", 1, 140.0, "end-before-start - END_DATE is before EFFECTIVE_DATE.",
            END_DATE=dt.date(2026, 11, 1)),
        row("PUMP008", 1, 740.0, "duplicate-key - same key as the next row."),
        row("PUMP008", 1, 745.0, "duplicate-key - same key as the row above."),
        row("VALVE-100", 1, "#N/A", "excel-error - SO_UNIT_PRICE shows #N/A."),
        row("VALVE-101", 1, "=VLOOKUP(A13,Z:Z,2,FALSE)",
            "formula-without-value - SO_UNIT_PRICE is a formula never calculated."),
        row("VALVE-102", 1, 14.0, "invalid-action - ACTION is DELETE.", ACTION="DELETE"),
        row("VALVE-200", 1, 10.0, "currency-code (warning) - CURR_CODE is DOLLAR.",
            CURR_CODE="DOLLAR"),
        row("VALVE-201", 1, 16.0, "none in this row; the next row's price rises."),
        row("VALVE-201", 100, 17.5, "price-rises-with-quantity (warning) - dearer at 100 than at 1."),
        row("VALVE-300", 1, 56.0, "whitespace-trimmed (warning) - PRICE_CODE has spaces.",
            PRICE_CODE=" LP "),
        row("HOSE-050", 1, 1.9, "time-ignored (warning) - EFFECTIVE_DATE has a time of day.",
            EFFECTIVE_DATE=dt.datetime(2026, 12, 1, 14, 30)),
        row("FIT-1001", 1, 0.9, "effective-date-required - EFFECTIVE_DATE is empty.",
            EFFECTIVE_DATE=None),
        row("FIT-1002", 1, None, "price-missing-on-create - SO_UNIT_PRICE is empty."),
        row("HOSE-100", 1, 2.9, "overlapping-period (warning) - ends after the next row starts.",
            END_DATE=dt.date(2027, 6, 30)),
        row("HOSE-100", 1, 3.1, "overlapping-period (warning) - starts before the row above "
            "ends.", EFFECTIVE_DATE=dt.date(2027, 3, 1)),
        row("HOSE-075", 1, 2.7, "hidden-row (warning) - this row is hidden."),
    ]


def main(out: Path = OUT) -> None:
    rng = random.Random(SEED)
    out.mkdir(exist_ok=True)
    price_fields = [f.name for f in PRODUCT_PRICE.fields if f.name not in ("PRICE_CHG", "SALES_COMM",
                                                                          "ATTACHMENTS")]
    prices = price_rows(rng)
    write(out / "price_list.xlsx", PRODUCT_PRICE, price_fields, prices, "Product Price")
    cp_fields = ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "SO_DESC", "SO_UM", "PARTIAL_SHIP",
                 "EARLY_SHIP", "PRICE_CODE", "CURR_CODE", "QUOTE_UNIT_PRIC", "NOTES"]
    write(out / "customer_parts.xlsx", CUSTOMER_PART, cp_fields, customer_part_rows(rng),
          "Customer Part")
    mistakes = mistake_rows()
    write(out / "price_list_mistakes.xlsx", PRODUCT_PRICE, price_fields + ["ACTION"], mistakes,
          "Product Price", hidden_rows=(len(mistakes) + 1,))
    write(out / "customer_parts_mistakes.xlsx", CUSTOMER_PART, cp_fields, [
        {"PART_ID": "PUMP001", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "ACM-1",
         "PARTIAL_SHIP": "Yes", "NOTES": "Mistake: invalid-flag - PARTIAL_SHIP must be Y or N."},
        {"PART_ID": "PUMP002", "CUSTOMER_ID": "ACME", "PARTIAL_SHIP": "Y",
         "NOTES": "Mistake: missing-value - CUST_PART_ID is empty."},
    ], "Customer Part")
    print(f"wrote {len(prices)} price rows over {len({r['PART_ID'] for r in prices})} parts "
          f"and the other sample files to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
