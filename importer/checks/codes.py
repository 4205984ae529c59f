"""Every issue code validation can report, with a one-line description, and which are warnings:
the schema's own, the reader's and those of the registered check sets."""
from __future__ import annotations

from importer.checks.changes import CHANGE_CODES
from importer.checks.pricerules import RULE_CODES
from importer.checks.references import REFERENCE_CODES
from importer.reading import READING_CODES

SCHEMA_CODES = {
    "missing-value": "A field required to create the record is empty.",
    "invalid-date": "A date field is not a real date (YYYY-MM-DD, years 1900-9999).",
    "not-a-number": "A number field holds something that is not a plain number.",
    "negative-number": "A quantity, price or percentage is below zero.",
    "percent-out-of-range": "A percentage is above 100.",
    "too-long": "A value is longer than the field holds (NOTES: 32,765 characters).",
    "invalid-flag": "A Y/N field holds something other than Y or N.",
    "end-before-start": "The end date is before the effective date.",
    "duplicate-key": "Two or more rows have the same record key (every row of the group).",
    "currency-code": "A currency code is not three capital letters (warning).",
    "price-rises-with-quantity": "A unit price is above the one at a smaller quantity break "
                                 "(warning).",
}
# Every issue code the reader and the validator produce, with a one-line description.
ISSUE_CODES: dict[str, str] = {**SCHEMA_CODES, **READING_CODES, **CHANGE_CODES,
                               **REFERENCE_CODES, **RULE_CODES}
WARNING_CODES = frozenset({"currency-code", "price-rises-with-quantity", "whitespace-trimmed",
                           "currency-removed", "dates-read-month-first", "columns-not-sent",
                           "time-ignored", "hidden-row", "part-not-found-before",
                           "customer-not-found-before", "obsolete-part"})


