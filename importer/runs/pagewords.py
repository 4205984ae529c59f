"""The page's words for the library's sentences: the page's own buttons and steps instead of a
command to run again, importer.toml instead of command-line options and environment variables.
The CLI shows the library's sentences as they are; the page shows them through these functions,
so no page text names an option or a variable.

    page_words("... Run the same command again to resume: ...")   # "Press “Retry ...” ..."
    page_error("The server refused the login: ... Check --user, ...")
"""
from __future__ import annotations

import re

from importer.runs.finishing import DRY_DONE, FRESH_RESUME_HINT, RESUME_HINT, RETRY_BUTTON


_FIX_FILE = re.compile(r"fix (it|them) in (\S+) \(its REASON column says why\) and import that "
                       r"file\.")
_FIX_INPUT = re.compile(r"fix (it|them) in the input \(its REASON column says why\) and import "
                        r"that file\.")


def page_words(message: str) -> str:
    """The next step as the page says it: its own buttons and steps, never a command, an option
    or an environment variable."""
    if not message:
        return message
    for hint in (FRESH_RESUME_HINT, RESUME_HINT):
        message = message.replace(hint, f"Press “{RETRY_BUTTON}” to resume: rows already applied "
                                        "are not sent again.")
    message = _FIX_FILE.sub(lambda m: f"download the rows to fix, correct {m.group(1)} (the "
                                      "REASON column says why) and upload that file.", message)
    message = _FIX_INPUT.sub(lambda m: f"correct {m.group(1)} on the Check page and import "
                                       "again.", message)
    message = message.replace("fix the red cells in the input (their comments say how) and run "
                              "the dry run again.", "correct the red cells on the Check page "
                              "(their messages say how) and preview again.")
    message = message.replace(" --fresh sends every row again.", "")
    message = page_error(message)
    message = message.replace(DRY_DONE, "Preview: nothing was sent. Press Import to send the "
                                        "rows.")
    return message


# Option and variable mentions the library's error sentences carry, as the page says them.
_OPTIONS = [
    (re.compile(r"No (.+?) given: pass --[\w-]+, set IMPORTER_[A-Z_]+, or set (\w+) under "
                r"\[connection\] in (.+?)\.$"),
     r"No \1 is configured: set \2 under [connection] in \3."),
    (re.compile(r"Check --user, --data-source and the password \(IMPORTER_PASSWORD\)\."),
     "Check the password, and the user and data source under [connection] in importer.toml."),
    (re.compile(r"Check --url and that the server is running\."),
     "Check the ERP's address (url under [connection] in importer.toml) and that it is running."),
    (re.compile(r"Check --url points at the ERP's REST API\."),
     "Check that url under [connection] in importer.toml is the ERP's REST API."),
    (re.compile(r"pass --ca-bundle PATH \(or, only for a test server, --insecure\)"),
     "set ca_bundle under [connection] in importer.toml"),
    (re.compile(r"The limit is --max-price-change (\S+?)\.?$"),
     r"The limit is \1 percent (max_price_change under [import] in importer.toml)."),
    # how a file writes numbers and dates: the page has no such switch, importer.toml has
    (re.compile(r'with --decimal-comma or --decimal-point \(or decimal = "comma" / "point" '
                r'under \[reading\] in importer\.toml\)'),
     'with decimal = "comma" or "point" under [reading] in importer.toml'),
    (re.compile(r'run again with --day-first \(or date_order = "day-first" under \[reading\] in '
                r'importer\.toml\)'),
     'set date_order = "day-first" under [reading] in importer.toml and check again'),
    (re.compile(r"--decimal-(comma|point) or --decimal-(comma|point)"),
     r'decimal = "\1" or "\2" under [reading] in importer.toml'),
    (re.compile(r"(?:use|give) --(day|month)-first"),
     r'set date_order = "\1-first" under [reading] in importer.toml'),
    (re.compile(r"--(day|month)-first / --(day|month)-first"), "date_order"),
    (re.compile(r"--decimal-comma / --decimal-point"), "decimal"),
    (re.compile(r"--(day|month)-first"), r'date_order = "\1-first"'),
    (re.compile(r"--decimal-(comma|point)"), r'decimal = "\1"'),
    # which sheet, record type and columns: the page's own lists and panel
    (re.compile(r"choose one with --sheet\."), "choose one in the Sheet list."),
    (re.compile(r"say which with --entity\."), "choose the record type on the page."),
    (re.compile(r"use --entity ([\w-]+)\."), r"choose the record type \1."),
    (re.compile(r'say which with --map "[^"]*" \(or under (\[columns\.[\w*-]+\]) in '
                r'importer\.toml\)'), r"say which in the column names panel (or under \1 in "
                                       r"importer.toml)"),
    (re.compile(r", or give --strict-columns to refuse such files"), ""),
    (re.compile(r"\s*\(?(?:set |or )?IMPORTER_[A-Z_]+\)?"), ""),
    (re.compile(r"--strict"), "strict checking"),
]


def page_error(text: str) -> str:
    """An error or warning sentence of the library, without options or environment variables."""
    if "--" not in text and "IMPORTER_" not in text:  # every pattern needs one: most page text
        return text                                    # (each grid cell) has neither
    for pattern, words in _OPTIONS:
        text = pattern.sub(words, text)
    return text
