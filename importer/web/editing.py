"""The page's edits to an upload: one undoable step at a time (importer.runs.gridedits), the
corrected copy written from the original with every edit (importer.runs.corrections), and the
file checked again. A part of `Workspace` (web/workspace.py), kept apart because it is its own
responsibility: which cells change and how a typed value is written.
"""
from __future__ import annotations

from importer.errors import BadOptions
from importer.runs import gridedits
from importer.runs.corrections import EDITABLE_FORMATS, write_corrected
from importer.runs.gridedits import Step, Typing

Upload = "importer.web.workspace.Upload"  # annotations only: the workspace imports this module


class Editing:
    """Workspace's edits; the workspace gives ``read_options(upload)`` and ``check(upload)``."""

    def edit(self, upload: Upload, letter: str, row: int, text: str) -> Upload:
        """Set one cell to ``text`` and check the file again (the same library calls)."""
        return self.change(upload, "set", {"letter": letter, "row": row, "value": text})

    def typing(self, upload: Upload) -> Typing:
        """How a typed value is written into this upload's file (its decimal convention)."""
        table = self._table(upload)

        def decimal() -> str:  # read from the file only when a typed number needs it
            if upload.decimal is None:
                upload.decimal = gridedits.file_decimal(upload.original, table,
                                                        self.read_options(upload).decimal)
            return upload.decimal

        return Typing(table.file_format, upload.decimal or decimal,
                      {c.letter: (table.entity.field(c.field).kind if c.field else None)
                       for c in table.columns})

    def change(self, upload: Upload, op: str, args: dict) -> Upload:
        """One undoable step (see importer.runs.gridedits), then the file checked again:
        set / same (every cell with the same value) / replace / fill / skip / unskip /
        undo / redo. BadOptions: one sentence, nothing changed."""
        with upload.lock:  # two quick clicks: one edit after the other
            return self._change(upload, op, args)

    def _change(self, upload: Upload, op: str, args: dict) -> Upload:
        table = self._table(upload)
        history = upload.history
        if op == "undo":
            upload.last_step = "Undone: " + history.undo()
        elif op == "redo":
            upload.last_step = "Redone: " + history.redo()
        else:
            step = self._step(upload, table, op, args)
            history.push(step)
            upload.last_step = step.label[0].upper() + step.label[1:] + "."
        return self._write(upload, table)

    def count_matches(self, upload: Upload, letter: str, find: str, whole: bool = False) -> int:
        """How many cells a find and replace would change (the preview of the count)."""
        return len(gridedits.find_matches(self._table(upload), letter, find, whole))

    def same_count(self, upload: Upload, letter: str, row: int) -> int:
        return len(gridedits.same_value_cells(self._table(upload), letter, row))

    def _step(self, upload: Upload, table, op: str, args: dict) -> Step:
        state, letter = upload.history.current, str(args.get("letter", ""))
        row, value = _number(args.get("row")), str(args.get("value", ""))
        if op in ("set", "same", "replace", "fill"):
            if table.file_format not in EDITABLE_FORMATS:
                raise BadOptions(f"Cells of a .{table.file_format} file cannot be corrected on "
                                 "this page: correct them in your spreadsheet program (or save "
                                 "the file as .xlsx) and upload it again.")
            typing = self.typing(upload)
        if op == "set":
            cells = args.get("cells") or [[letter, row]]
            return gridedits.set_cells(table, state, [(str(c[0]), _number(c[1])) for c in cells],
                                       value, typing)
        if op == "same":
            return gridedits.apply_to_same(table, state, letter, row, value, typing)
        if op == "replace":
            return gridedits.find_replace(table, state, letter, str(args.get("find", "")),
                                          value, typing, bool(args.get("whole")))
        if op == "fill":
            return gridedits.fill_down(table, state, letter, row, _number(args.get("last")),
                                       typing)
        if op in ("skip", "unskip"):
            rows = [_number(r) for r in (args.get("rows") or [row])]
            return gridedits.skip_rows(table, state, rows, skip=op == "skip")
        raise BadOptions("The page asked for an edit it does not know; reload it.")

    def _table(self, upload: Upload):
        if upload.report is None:
            raise BadOptions("Upload the file again: it could not be read.")
        return upload.report.table

    def _write(self, upload: Upload, table) -> Upload:
        """The corrected copy written from the original with every edit, and checked again."""
        if upload.edits:
            dest = upload.folder / "corrected" / upload.name
            dest.parent.mkdir(exist_ok=True)
            staged = dest.with_name(f".{upload.generation + 1}.{upload.name}")
            write_corrected(upload.original, table.file_format, table.sheet, upload.edits,
                            self.typing(upload).kinds, staged)
            staged.replace(dest)
        upload.generation += 1
        return self.check(upload, sheet=table.sheet)


def _number(value) -> int:
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadOptions("The page sent a row number it cannot use; reload it.") from None
