"""checks: a table's problems, found before anything is sent.

Owns the checks of every field, run once per distinct value of a column (validation.py, with
columns.py, codes.py and messages.py), the ids checked against master data (masterdata.py, references.py), a price list's
own rules and validity periods (pricerules.py, periods.py) and each row's change class against the
last known records (changes.py). Every check returns findings as values (`Issue`s in a `Report`).

Imports only the ground (entities, model, errors, rules), `reading`'s values and the sandbox's
master-file reader; never settings, the journal, the ERP client or a workbook: configuration and
what the journal knows arrive as values (see `importer.runs.checking`).
"""
