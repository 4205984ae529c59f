"""runs: a run as a whole, wiring the stages together for the CLI and the page.

runner.py (`run_import`) and sheetrun.py import one sheet; sheetplan.py and multisheet.py a
workbook of several sheets; checking.py builds the check sets from settings, master data and the
journal; finishing.py leaves the results and failed-rows workbooks and says what to do next;
revert.py undoes a run; rehearsal.py starts the built-in sandbox; reports.py rewrites a run's
workbooks; jobs.py, corrections.py and columnmaps.py serve the page.

May import every stage before it: ground, reading, checks, erp, journal, workbooks, sandbox.
"""
