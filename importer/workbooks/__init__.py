"""The workbooks this tool writes: templates, the annotated validation workbook, results,
failed rows and exports. Each is a plain function of plain values (importer.model); none
decides a status. A file that cannot be written raises errors.OutputNotWritable, one sentence."""
import functools
import inspect
import os
from pathlib import Path

from importer.errors import OutputNotWritable
from importer.workbooks import (export, failed, removal, results, several, templates,
                                validation)


def check_writable(out: str | Path) -> None:
    """Raise OutputNotWritable when ``out`` could not be written (checked before work is done)."""
    folder = Path(out).resolve().parent
    if not folder.is_dir():
        raise OutputNotWritable(f"Cannot write {out}: the folder {folder} does not exist; create "
                                "it or choose another path with -o.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputNotWritable(f"Cannot write {out}: no permission to write in {folder}; choose "
                                "another path with -o.")


def _writer(func, path_param: str):
    """``func`` with an OSError turned into one sentence naming its output (``path_param``)."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OSError as exc:
            out = signature.bind(*args, **kwargs).arguments[path_param]
            check_writable(out)  # the clearer sentence for a missing folder or no permission
            raise OutputNotWritable(
                f"Cannot write {out} ({exc.strerror or exc}); close it if it is open in a "
                "spreadsheet program, or choose another path with -o.") from None

    return wrapper


write_export = _writer(export.write_export, "out")
write_failed_workbook = _writer(failed.write_failed_workbook, "out")
write_removal_workbook = _writer(removal.write_removal_workbook, "out")
write_file_failed = _writer(several.write_file_failed, "out")
write_file_results = _writer(several.write_file_results, "out")
write_results_workbook = _writer(results.write_results_workbook, "out")
write_template = _writer(templates.write_template, "path")
write_validation_workbook = _writer(validation.write_validation_workbook, "out")

__all__ = ["check_writable", "write_export", "write_failed_workbook", "write_removal_workbook",
           "write_file_failed", "write_file_results",
           "write_results_workbook", "write_template", "write_validation_workbook"]
