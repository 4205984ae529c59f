"""What the templates show, as plain dicts built from the library's values (no decisions: the
severities, messages and statuses are the library's; this only arranges them for the page)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from importer.checks.references import suggestions_in
from importer.model import Action, Issue, Report, RowOutcome, RunInfo, Severity, Status
from importer.runs.pagewords import page_words
from importer.runs.runner import ImportResult

PAGE_ROWS = 100
PAGE_ISSUES = 100
PAGE_RESULTS = 100
SHOWS = {"all": "Every row", "issues": "Rows with issues", "errors": "Rows with errors",
         "warnings": "Rows with warnings only", "skipped": "Skipped rows"}


@dataclass(frozen=True)
class GridQuery:
    """Which rows of the grid and which page: the page's filters (from the address)."""

    page: int = 1
    show: str = "all"  # a key of SHOWS
    code: str = ""  # one issue code
    column: str = ""  # a column letter: rows with an issue in it
    row: int = 0  # jump to the page holding this Excel row
    issue_page: int = 1

    def link(self, **changes) -> str:
        values = {**self.__dict__, **changes}
        params = {"page": values["page"] if values["page"] != 1 else None,
                  "show": values["show"] if values["show"] != "all" else None,
                  "code": values["code"] or None, "column": values["column"] or None,
                  "ipage": values["issue_page"] if values["issue_page"] != 1 else None}
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return "?" + query if query else "?"


def check_view(report: Report, query: GridQuery = GridQuery(), skipped=frozenset()) -> dict:
    """The Check step: counts, one page of the grid with red/amber cells (filtered), one page of
    the issue list."""
    table = report.table
    by_cell: dict[tuple[int, str], list[Issue]] = {}
    by_row: dict[int, list[Issue]] = {}
    for issue in report.issues:
        if issue.row is None:
            continue
        if issue.column:
            by_cell.setdefault((issue.row, issue.column), []).append(issue)
        else:
            by_row.setdefault(issue.row, []).append(issue)
    skipped = set(skipped) | {r.excel_row for r in table.rows if r.action is Action.SKIP}
    chosen = _chosen_issues(report.issues, query)
    rows = table.rows
    if query.show == "skipped":
        rows = [r for r in rows if r.excel_row in skipped]
    elif query.show != "all" or query.code or query.column:
        if query.show == "warnings":
            errors = report.invalid_rows
            flagged = {i.row for i in chosen if i.row is not None and i.row not in errors}
        else:
            flagged = {i.row for i in chosen if i.row is not None}
        rows = [r for r in rows if r.excel_row in flagged]
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    page = query.page
    if query.row:
        at = next((k for k, r in enumerate(rows) if r.excel_row >= query.row), len(rows) - 1)
        page = at // PAGE_ROWS + 1
    page = min(max(page, 1), pages)
    shown = rows[(page - 1) * PAGE_ROWS:page * PAGE_ROWS]
    row_issues = [i for i in chosen if i.row is not None]
    same = _SameValues(table)
    issue_pages = max(1, -(-len(row_issues) // PAGE_ISSUES))
    issue_page = min(max(query.issue_page, 1), issue_pages)
    codes = Counter(i.code for i in report.issues if i.row is not None)
    return {
        "entity": table.entity, "sheet": table.sheet, "file_format": table.file_format,
        "rows_total": table.row_count, "errors": len(report.errors),
        "warnings": len(report.warnings), "invalid_rows": len(report.invalid_rows),
        "skipped": len(skipped),
        "columns": [{"letter": c.letter, "header": c.header, "field": c.field,
                     "action": c.is_action} for c in table.columns],
        "header_row": table.header_row,
        "rows": [row_view(report, r, by_cell, by_row, skipped, same) for r in shown],
        "page": page, "pages": pages, "matching_rows": len(rows),
        "query": replace(query, page=page, row=0, issue_page=issue_page),
        "shows": SHOWS, "codes": sorted(codes.items()),
        "file_issues": [i for i in report.issues if i.row is None],
        "issues": row_issues[(issue_page - 1) * PAGE_ISSUES:issue_page * PAGE_ISSUES],
        "issue_page": issue_page, "issue_pages": issue_pages, "issues_total": len(row_issues),
        "first_row": shown[0].excel_row if shown else 0,
        "last_row": shown[-1].excel_row if shown else 0,
    }


def _chosen_issues(issues: list[Issue], query: GridQuery) -> list[Issue]:
    chosen = issues
    if query.show == "errors":
        chosen = [i for i in chosen if i.severity is Severity.ERROR]
    elif query.show == "warnings":
        chosen = [i for i in chosen if i.severity is Severity.WARNING]
    if query.code:
        chosen = [i for i in chosen if i.code == query.code]
    if query.column:
        chosen = [i for i in chosen if i.column == query.column]
    return chosen


class _SameValues:
    """How many cells of a column show a text (counted per column when first asked): the count
    a suggestion's "in all N cells" button names."""

    def __init__(self, table) -> None:
        self.table, self.counts = table, {}

    def __call__(self, letter: str, text: str) -> int:
        if letter not in self.counts:
            k = next(i for i, c in enumerate(self.table.columns) if c.letter == letter)
            self.counts[letter] = Counter(r.cells[k] for r in self.table.rows)
        return self.counts[letter][text]


def row_view(report: Report, row, by_cell=None, by_row=None, skipped=frozenset(),
             same=None) -> dict:
    if by_cell is None:  # one row on its own (after an edit)
        by_cell, by_row = {}, {}
        for issue in report.issues:
            if issue.row == row.excel_row:
                target = by_cell.setdefault((issue.row, issue.column), []) if issue.column \
                    else by_row.setdefault(issue.row, [])
                target.append(issue)
    cells = []
    for column, text in zip(report.table.columns, row.cells):
        issues = by_cell.get((row.excel_row, column.letter), [])
        cells.append({"letter": column.letter, "text": text, "field": column.field,
                      "severity": _worst(issues), "messages": [i.message for i in issues],
                      "suggestion": next((found[0] for i in issues
                                          if (found := suggestions_in(i.message))), None)})
        if cells[-1]["suggestion"] and same is not None:
            cells[-1]["same"] = same(column.letter, text)
    row_issues = by_row.get(row.excel_row, [])
    all_issues = row_issues + [i for c in cells for i in by_cell.get((row.excel_row,
                                                                        c["letter"]), [])]
    return {"excel_row": row.excel_row, "cells": cells, "severity": _worst(all_issues),
            "messages": [i.message for i in row_issues],
            "skipped": row.excel_row in skipped or row.action is Action.SKIP}


def _worst(issues: list[Issue]) -> str | None:
    if any(i.severity is Severity.ERROR for i in issues):
        return "error"
    return "warning" if issues else None


def preview_view(result: ImportResult, outcomes: dict[int, RowOutcome], report: Report,
                 changes: dict | None = None) -> dict:
    """The Preview step: what each row would get, from a dry run's outcomes, and what it would
    change (the run's change classes, old -> new per cell)."""
    changes = changes or {}
    table = report.table
    key_fields = table.entity.key
    by_row = {r.excel_row: r for r in table.rows}
    groups: Counter = Counter()
    rows = []
    for excel_row in sorted(outcomes):
        o = outcomes[excel_row]
        group = _preview_group(o)
        groups[group] += 1
        values = by_row[excel_row].values if excel_row in by_row else {}
        change = changes.get(excel_row)
        rows.append({"excel_row": excel_row, "group": group,
                     "key": " / ".join(values.get(k, "") for k in key_fields),
                     "call": o.action.replace(" (dry run)", "") or "-", "message": o.message,
                     "warnings": [without_flags(i.message) for i in o.issues
                                  if i.severity is Severity.WARNING],
                     "change": change.change.value if change else None,
                     "cells": [_cell_change(c, change) for c in change.cells] if change else []})
    decisions = [_decision(d) for d in result.decisions if d["held"]]
    return {"groups": dict(groups), "rows": rows[:1000], "more_rows": max(0, len(rows) - 1000),
            "key_label": " / ".join(key_fields), "run_id": result.run.run_id,
            "classes": result.changes or {}, "classified": bool(changes),
            "decisions": decisions, "held_rows": len({d["row"] for d in decisions}),
            "people": result.people}


_KIND_LABEL = {"price-jump": "Price jump", "overlap": "Overlapping period",
               "obsolete": "Obsolete part"}


def _decision(d: dict) -> dict:
    """A held decision as the review lists it: the cell, what it is, old -> new, why."""
    percent = f" ({d['percent']:+.1f}%)" if d["percent"] is not None else ""
    change = f"{d['old']} \u2192 {d['new']}" if d["old"] else d["new"]
    return {"row": d["row"], "cell": d["cell"], "label": _KIND_LABEL[d["kind"]],
            "change": change + percent, "why": without_flags(d["why"])}


def without_flags(text: str) -> str:
    """The text without its sentences that name a command-line option (the page has none)."""
    sentences = re.split(r"(?<=[.;])\s+", text)
    return " ".join(s for s in sentences if not re.search(r"(^|\s)--[a-z]", s)).strip()


def _cell_change(cell, change) -> dict:
    percent = f" ({cell.percent:+.1f}%)" if cell.percent is not None else ""
    return {"field": cell.field, "old": cell.old or "(empty)", "new": cell.new,
            "percent": percent, "note": change.note(cell)}


def _preview_group(o: RowOutcome) -> str:
    if o.status is Status.HELD:
        return "held"
    if o.status is Status.INVALID:
        return "refused"
    if o.status is Status.SKIPPED:
        return "skipped"
    if o.action.startswith("CREATE"):
        return "create"
    if o.action.startswith("UPDATE"):
        return "update"
    return "refused" if o.status is Status.FAILED else "send"


UNAPPLIED = (Status.FAILED, Status.INVALID, Status.NOT_RUN, Status.HELD)


def results_view(result: ImportResult | None, outcomes: dict[int, RowOutcome],
                 report: Report | None = None, page: int = 1) -> dict:
    """The Results step: counts and one page of the rows not applied; with the upload's
    ``report``, each FAILED row's cells (to correct them here and send the row again)."""
    unapplied = [(r, o) for r, o in sorted(outcomes.items()) if o.status in UNAPPLIED]
    pages = max(1, -(-len(unapplied) // PAGE_RESULTS))
    page = min(max(page, 1), pages)
    by_row = {r.excel_row: r for r in report.table.rows} if report else {}
    columns = report.table.columns if report else []
    failed = []
    for r, o in unapplied[(page - 1) * PAGE_RESULTS:page * PAGE_RESULTS]:
        row = by_row.get(r)
        failed.append({"excel_row": r, "status": o.status.value, "message": page_words(o.message),
                       "code": o.message_code,
                       "cells": [{"letter": c.letter, "header": c.header, "field": c.field,
                                  "text": t} for c, t in zip(columns, row.cells)]
                       if row is not None and o.status is not Status.NOT_RUN else []})
    retryable = any(o.status in (Status.FAILED, Status.NOT_RUN) for o in outcomes.values())
    done = frozenset(r for r, o in outcomes.items() if o.status.value in FINAL)
    shown = result.to_dict() if result else None
    if shown:
        shown["message"] = page_words(shown["message"])
    held = result.counts.get(Status.HELD.value, 0) if result else 0
    if held and shown:  # the page's own way to accept, not the command line's
        shown["message"] = (f"{held} row{'' if held == 1 else 's'} held until "
                            f"{'its' if held == 1 else 'their'} decisions are accepted: open the "
                            "Preview of this file again, accept them there, and import again.")
    return {"result": shown, "failed": failed,
            "retryable": retryable and not (result and result.run.dry_run),
            "unapplied": len(unapplied), "page": page, "pages": pages, "done_rows": done}


FINAL = ("CREATED", "UPDATED", "SKIPPED")


def revert_view(plan, refusal: str) -> dict:
    return {"run_id": plan.run.run_id, "file": Path(plan.run.input_path).name,
            "entity": plan.entity.label, "put_back": plan.updates[:500],
            "put_back_count": len(plan.updates), "created": len(plan.created),
            "untouched": plan.untouched, "not_revertible": plan.not_revertible[:500],
            "created_keys": [plan.entity.describe_key(plan.entity.key_of(r))
                             for r in plan.created[:500]],
            "refusal": refusal, "fields": [f for f in plan.entity.field_names
                                           if any(f in u for u in plan.updates)]}


def run_view(run: RunInfo) -> dict:
    return {"run_id": run.run_id, "started": run.started_at[:16].replace("T", " "),
            "file": Path(run.input_path).name, "entity": run.entity, "dry_run": run.dry_run,
            "mode": run.mode, "server": f"{run.server_url} {run.data_source}".strip(),
            "revertible": not run.dry_run and bool(run.counts.get("UPDATED")
                                                   or run.counts.get("CREATED")),
            "counts": ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
            or "(unfinished)"}


def history_lines(events: list[dict]) -> list[str]:
    """One sentence per run that created or changed a record (key_history's dicts)."""
    from importer.humane import local_time

    lines = []
    for e in events:
        what = ", ".join(f"{c['field']} {c['old']} \u2192 {c['new']}" if c["old"]
                         else f"{c['field']} {c['new']}" for c in e["changes"])
        who = f"sent by {', '.join(e['os_accounts']) or 'unknown'} (ERP user {e['erp_user']})"
        more = [f"approved by {', '.join(e['approved_by'])}"] if e["approved_by"] else []
        more += [f"revert of run {e['revert_of']}"] if e["revert_of"] else []
        more += [f"reverted by run {e['reverted_by']}"] if e["reverted_by"] else []
        lines.append(f"{local_time(e['at'], seconds=False)}, run {e['run_id']} ({e['input']}): "
                     f"{e['status']} {what}; " + "; ".join([who, *more]))
    return lines
