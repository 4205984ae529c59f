"""The workbooks this tool writes: templates, the annotated validation workbook, results,
failed rows and exports. Each is a plain function of plain values (importer.model); none
decides a status."""
from importer.workbooks.export import write_export
from importer.workbooks.failed import write_failed_workbook
from importer.workbooks.results import write_results_workbook
from importer.workbooks.templates import write_template
from importer.workbooks.validation import write_validation_workbook

__all__ = ["write_export", "write_failed_workbook", "write_results_workbook", "write_template",
           "write_validation_workbook"]
