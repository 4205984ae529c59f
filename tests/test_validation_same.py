"""Validation reports the same issues, message for message and in the same order, as the
row-wise (pandera) validation it replaced: a few thousand generated rows with every kind of
problem, checked with every check set, compared with the report that validation wrote before
(tests/data/validation_same.json.xz, made by this module's ``--write`` on the old code).

    python tests/test_validation_same.py --write   # only when a message changes on purpose
"""
from __future__ import annotations

import csv
import json
import lzma
import random
import sys
from dataclasses import replace
from pathlib import Path

from importer.checks.masterdata import load_master_data
from importer.checks.pricerules import PriceRuleChecks, PriceRules
from importer.checks.references import ReferenceChecks
from importer.checks.validation import validate
from importer.entities import get_entity
from importer.reading import read_table

GOLDEN = Path(__file__).parent / "data" / "validation_same.json.xz"
PRICE_HEADER = ["ACTION", "PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE",
                "CURR_CODE", "SO_UNIT_PRICE", "ITEM_DISC_PCT", "NOTES", "REMARK"]
PARTS = [f"{i:06d}" if i % 3 == 0 else f"PART-{i:03d}" for i in range(60)]
DATES = ["2026-01-01", "2026-03-01", "2026-06-30", "2026-07-01", "2026-07-15", "2026-12-31",
         "2027-01-01"]


def _pick(rng: random.Random, *weighted):
    """One of the (weight, value-or-callable) pairs."""
    total = sum(w for w, _ in weighted)
    x = rng.random() * total
    for w, v in weighted:
        x -= w
        if x < 0:
            return v() if callable(v) else v
    return weighted[-1][1]


def price_rows(n: int, seed: int = 29) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        part = _pick(rng, (90, lambda: rng.choice(PARTS)), (2, ""), (2, lambda: " PART-001 "),
                     (2, lambda: rng.choice(["417", "part-002", "PART 004", "PART-00X", "NOPE"])))
        start = _pick(rng, (85, lambda: rng.choice(DATES)), (3, ""), (2, "2026-02-30"),
                      (2, "45000"), (2, "1899-12-31"), (2, "31.12.2026"), (2, "01/02/26"),
                      (2, "soon"))
        end = _pick(rng, (55, ""), (35, lambda: rng.choice(DATES)), (3, "2025-12-31"),
                    (2, "2026-13-01"), (2, "later"), (3, "9999-12-31"))
        qty = _pick(rng, (70, lambda: rng.choice(["1", "10", "50", "100"])), (8, ""),
                    (5, "10.0"), (3, "1.5"), (3, "-5"), (3, "ten"), (3, "1e3"), (2, "0"))
        price = _pick(rng, (75, lambda: f"{rng.randrange(1, 4000) / 100:.2f}"), (8, ""),
                      (3, "-1"), (3, "abc"), (3, "12,5"), (3, "7"), (2, " 9.5 "), (3, "$5"))
        rows.append([
            _pick(rng, (80, ""), (5, "CREATE"), (5, "UPDATE"), (4, "UPSERT"), (3, "SKIP"),
                  (3, "DELETE")),
            part,
            _pick(rng, (60, "LP"), (30, "DL"), (5, ""), (5, "lp")),
            start, qty, end,
            _pick(rng, (70, "USD"), (15, "EUR"), (5, ""), (5, "usd"), (5, "US")),
            price,
            _pick(rng, (70, ""), (20, lambda: str(rng.choice([0, 2.5, 5, 50]))), (4, "120"),
                  (3, "-3"), (3, "x")),
            _pick(rng, (95, ""), (4, "a note"), (1, lambda: "n" * 32766)),
            _pick(rng, (90, ""), (10, "internal")),
        ])
    return rows


CP_HEADER = ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "PARTIAL_SHIP", "SHIP_LT",
             "DATE_LAST_QUOTE", "ITEM_DISC_PCT", "CURR_CODE"]
CUSTOMERS = [f"{i:05d}" if i % 4 == 0 else f"CUST{i:03d}" for i in range(30)]


def customer_part_rows(n: int, seed: int = 31) -> list[list[str]]:
    rng = random.Random(seed)
    return [[
        _pick(rng, (85, lambda: rng.choice(PARTS)), (3, ""), (12, lambda: rng.choice(
            ["417", "part-002", "PART 004", "PART-00X", "NOPE", "OBS-1", "000000", "0"]))),
        _pick(rng, (85, lambda: rng.choice(CUSTOMERS)), (3, ""), (12, lambda: rng.choice(
            ["cust001", "CUST 002", "4", "CUST0X3", "GONE", "LOST-1"]))),
        _pick(rng, (90, lambda: f"CP-{rng.randrange(400)}"), (5, ""), (5, "CP-1")),
        _pick(rng, (60, ""), (20, "Y"), (10, "N"), (5, "y"), (5, "maybe")),
        _pick(rng, (70, ""), (20, "3"), (5, "-2"), (5, "two")),
        _pick(rng, (70, ""), (20, "2026-05-01"), (5, "2026-02-29"), (5, "1850-01-01")),
        _pick(rng, (70, ""), (20, "10"), (5, "101"), (5, "-1")),
        _pick(rng, (80, "USD"), (10, "EURO"), (10, "")),
    ] for _ in range(n)]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def known_records(seed: int = 37) -> list[dict[str, str]]:
    """What the journal might know: lines that the rows overlap, follow with a gap, replace,
    and breaks their prices fall out of order with."""
    rng = random.Random(seed)
    out = []
    for part in PARTS[:40]:
        for qty in ("1", "10", "100", ""):
            start = rng.choice(DATES[:4])
            out.append({"PART_ID": part, "PRICE_CODE": rng.choice(["LP", "DL"]),
                        "EFFECTIVE_DATE": start, "ORDER_QTY": qty,
                        "END_DATE": rng.choice(["", "2026-05-31", "2026-12-31", "2026-06-29"]),
                        "CURR_CODE": rng.choice(["USD", "USD", "EUR", ""]),
                        "SO_UNIT_PRICE": f"{rng.randrange(100, 3000) / 100:.2f}"})
    out.append({"PART_ID": "PART-001", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2025-01-01",
                "ORDER_QTY": "bad", "END_DATE": "2026-12-31", "SO_UNIT_PRICE": "1"})
    out.append({"PART_ID": "PART-002", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "",
                "ORDER_QTY": "1", "END_DATE": "2026-12-31", "SO_UNIT_PRICE": "1"})
    return out


def master_files(tmp: Path) -> tuple[Path, Path]:
    parts = write_csv(tmp / "parts.csv", ["PART_ID", "PART_DESC", "PART_STATUS"],
                      [[p, f"Part {p}", "O" if i % 7 == 0 else "A"] for i, p in
                       enumerate(PARTS + ["OBS-1"])])
    customers = write_csv(tmp / "customers.csv", ["CUSTOMER_ID", "CUST_NAME"],
                          [[c, f"Customer {c}"] for c in CUSTOMERS])
    return parts, customers


def reports(tmp: Path) -> dict[str, list[dict]]:
    """Every case's report as plain data, in the report's order."""
    tmp.mkdir(parents=True, exist_ok=True)
    price = get_entity("product-price")
    prices = read_table(write_csv(tmp / "prices.csv", PRICE_HEADER, price_rows(3000)))
    # the needed fields absent from the file: checked as blank (ties between absent columns)
    bare = [[r[1], r[2], r[4], r[5]] for r in price_rows(400, seed=41)]
    absent = read_table(write_csv(tmp / "absent.csv", ["PART_ID", "PRICE_CODE", "ORDER_QTY",
                                                       "END_DATE"], bare))
    cp = read_table(write_csv(tmp / "cp.csv", CP_HEADER, customer_part_rows(1500)))
    parts, customers = master_files(tmp)
    master = load_master_data(parts, customers)
    before = replace(master, server="https://erp.example.com", data_source="LIVE",
                     customers=replace(master.customers, ids=None, source="",
                                       not_found={"GONE": "2026-11-02", "LOST-1": "2026-10-01"}))
    parts_before = replace(before, customers=master.customers, parts=replace(
        master.parts, ids=None, source="", not_found={"NOPE": "2026-09-30", "417": "2026-11-30"}))
    records = known_records()
    keys = {price.key_of(r) for r in records[::3]}
    rules = PriceRules()
    everything = PriceRules(overlapping_periods="error", period_gaps="warning",
                            quantity_breaks="error", close_previous=True)
    cases = {
        "prices-default": (prices, None),
        "prices-no-rules": (prices, []),
        "prices-known": (prices, [ReferenceChecks(master), PriceRuleChecks(
            price, rules, known_keys=keys, known_records=records)]),
        "prices-strict-create": (prices, [PriceRuleChecks(
            price, everything, mode="create", known_keys=keys, known_records=records,
            strict=True)]),
        "prices-update-gaps-off": (prices, [PriceRuleChecks(
            price, replace(rules, period_gaps="off", overlapping_periods="off"), mode="update",
            known_records=records)]),
        "prices-not-found-before": (prices, [ReferenceChecks(before)]),
        "absent-default": (absent, None),
        "absent-known": (absent, [PriceRuleChecks(price, rules, known_keys=keys,
                                                  known_records=records)]),
        "customer-parts": (cp, [ReferenceChecks(master)]),
        "customer-parts-not-found-before": (cp, [ReferenceChecks(before)]),
        "customer-parts-no-checks": (cp, []),
        "customer-parts-parts-not-found-before": (cp, [ReferenceChecks(parts_before)]),
    }
    out = {}
    for name, (table, checks) in cases.items():
        report = validate(table, checks=checks)
        out[name] = [i.to_dict() for i in report.issues]
    return out


def test_every_issue_is_the_same_as_the_row_wise_validation_reported(tmp_path):
    got = reports(tmp_path)
    want = json.loads(lzma.decompress(GOLDEN.read_bytes()))
    assert list(got) == list(want)
    for name in want:
        codes = {i["code"] for i in want[name]}
        assert len(codes) > 3, name  # the case has problems to find
        for k, (g, w) in enumerate(zip(got[name], want[name])):
            assert g == w, f"{name}: issue {k} differs"
        assert len(got[name]) == len(want[name]), name


def test_the_cases_hold_every_kind_of_problem():
    """The saved report covers every code the schema, the rules and the references have."""
    from importer.checks.codes import SCHEMA_CODES
    from importer.checks.pricerules import RULE_CODES
    from importer.checks.references import REFERENCE_CODES

    want = json.loads(lzma.decompress(GOLDEN.read_bytes()))
    seen = {i["code"] for issues in want.values() for i in issues}
    expected = set(SCHEMA_CODES) | set(REFERENCE_CODES) | set(RULE_CODES)
    assert expected - {"closes-previous-period"} <= seen, expected - seen


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        data = reports(Path(tmp))
    GOLDEN.write_bytes(lzma.compress(json.dumps(data, indent=0).encode(),
                                      preset=9 | lzma.PRESET_EXTREME))
    print({k: len(v) for k, v in data.items()}, GOLDEN.stat().st_size)


def test_both_ways_of_factorizing_give_the_same_codes(monkeypatch):
    """Small columns are factorized with dicts, large ones with pandas: the same codes and the
    same distinct values in order of first appearance."""
    import numpy as np

    from importer.checks import columns

    rng = random.Random(3)
    values = [rng.choice([None, "", "a", "B", "10", "10.0", "ä", " a"]) for _ in range(5000)]
    values = [v if v != "" else None for v in values] + [None]
    small = columns._factorize(values)
    monkeypatch.setattr(columns, "LARGE", 10)
    large = columns._factorize(values)
    assert np.array_equal(small[0], large[0]) and small[1] == large[1]
    assert small[0][-1] == -1 and set(small[1]) == {v for v in values if v is not None}
