"""The workbooks this tool writes: templates, the annotated validation workbook, results,
failed rows and exports. Each is a plain function of plain values (importer.model); none
decides a status. A file that cannot be written raises errors.OutputNotWritable, one sentence.

Each ``write_*`` here takes the target path; ``record`` (the journal, or None) and ``run_id`` /
``kind`` go to workbooks.outputs, which keeps a file the person changed and writes the next free
name instead. They return an outputs.Written (where the file went, and a note when it moved)."""
import functools
import inspect
from pathlib import Path

from importer.workbooks import (export, failed, removal, repriced, results, several,
                                templates, validation)
from importer.workbooks.outputs import Written, WrittenFiles, check_writable, write_output


def _writer(func, path_param: str, kind: str):
    """``func`` written through outputs.write_output at its ``path_param`` argument."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, record: WrittenFiles | None = None, run_id: int | None = None,
                **kwargs) -> Written:
        bound = signature.bind(*args, **kwargs)
        wanted = Path(bound.arguments[path_param])

        def write(tmp: Path) -> object:
            bound.arguments[path_param] = tmp
            return func(*bound.args, **bound.kwargs)

        return write_output(record, wanted, write, run_id=run_id, kind=kind)

    return wrapper


write_export = _writer(export.write_export, "out", "export")
write_failed_workbook = _writer(failed.write_failed_workbook, "out", "failed")
write_removal_workbook = _writer(removal.write_removal_workbook, "out", "removal")
write_repriced = _writer(repriced.write_repriced, "out", "reprice")
write_file_failed = _writer(several.write_file_failed, "out", "failed")
write_file_results = _writer(several.write_file_results, "out", "results")
write_results_workbook = _writer(results.write_results_workbook, "out", "results")
write_template = _writer(templates.write_template, "path", "template")
write_validation_workbook = _writer(validation.write_validation_workbook, "out", "validation")

__all__ = ["Written", "check_writable", "write_export", "write_failed_workbook",
           "write_removal_workbook", "write_repriced", "write_file_failed", "write_file_results",
           "write_results_workbook", "write_template", "write_validation_workbook"]
