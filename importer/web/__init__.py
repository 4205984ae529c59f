"""The local web page (`importer serve`): upload, check cell by cell, correct in place, preview,
import with live progress, results and past runs.

- `app`: the routes (Starlette) and their error answers; `security`: token cookie, Host check
  and CSRF; `workspace`: uploads in a private temporary folder and the library results kept
  between requests; `folders`: that private folder, and the ones killed serves left (removed at
  start); `targets`: the built-in sandbox or the configured ERP; `views`: the library's
  values arranged for the templates; `templates/` (Jinja2) and `static/` (CSS and a little
  JavaScript, nothing from a CDN).

No import logic lives here: every step is the library call the CLI makes (read_table, validate,
corrections, run_import through jobs.ImportJob, the journal, reports.render_report).
"""
