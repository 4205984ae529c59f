"""The page's routes that change an upload: one cell (``/cell``), an undoable edit or bulk fix
(``/edit``), the count a bulk fix would change (``/count``), and a row not applied fixed from the
results page and sent again (``/jobs/{id}/fix``). A part of `Page` (web/app.py); each handler
reads the request, makes the Workspace's (library) calls and answers JSON.
"""
from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from importer.web import views
from importer.web.bodies import json_body as _json
from importer.web.bodies import number as _int


class EditRoutes:
    """Page's edit handlers; Page gives ``workspace``, ``targets``, ``templates``,
    ``job_targets``, ``upload_of`` and ``job_of``."""

    async def edit_cell(self, request: Request) -> Response:
        upload = self.upload_of(request)
        body = await _json(request)
        letter, row = str(body.get("letter", "")), _int(body.get("row"), 0)
        await asyncio.to_thread(self.workspace.edit, upload, letter, row,
                                str(body.get("value", "")))
        if upload.report is None:
            return JSONResponse({"error": upload.error}, 422)
        found = next((r for r in upload.report.table.rows if r.excel_row == row), None)
        view = views.check_view(upload.report, skipped=upload.skipped)
        row_html = self.templates.get_template("_row.html").render(
            row=views.row_view(upload.report, found), upload=upload) if found else ""
        summary = self.templates.get_template("_counts.html").render(view=view)
        invalid = row in upload.report.invalid_rows
        return JSONResponse({"row_html": row_html, "summary_html": summary, "valid": not invalid,
                             "errors": view["errors"]})

    async def change(self, request: Request) -> Response:
        """One undoable edit (set, same, replace, fill, skip, unskip, undo, redo)."""
        upload = self.upload_of(request)
        body = await _json(request)
        await asyncio.to_thread(self.workspace.change, upload, str(body.get("op", "")), body)
        return JSONResponse({"message": upload.last_step, "error": upload.error,
                             "edits": len(upload.edits), "skipped": len(upload.skipped)},
                            200 if upload.report else 422)

    async def count(self, request: Request) -> Response:
        """How many cells a bulk fix would change, before it is made."""
        upload = self.upload_of(request)
        q = request.query_params
        letter = q.get("letter", "")
        if q.get("find") is not None:
            n = await asyncio.to_thread(self.workspace.count_matches, upload, letter,
                                        q.get("find", ""), q.get("whole") == "1")
        else:
            n = await asyncio.to_thread(self.workspace.same_count, upload, letter,
                                        _int(q.get("row"), 0))
        return JSONResponse({"count": n})

    async def fix_and_retry(self, request: Request) -> Response:
        """Cells of rows not applied corrected from the results page, then those rows sent
        again (the rows this run applied are left out)."""
        job, upload = self.job_of(request)
        body = await _json(request)
        if upload is None or job.result is None:
            return JSONResponse({"error": "Only a finished import of an uploaded file can be "
                                          "corrected here."}, 400)
        cells = body.get("cells") if isinstance(body.get("cells"), list) else []
        for cell in cells:
            if isinstance(cell, dict):
                await asyncio.to_thread(self.workspace.change, upload, "set", cell)
        if upload.report is None:
            return JSONResponse({"error": upload.error}, 422)
        job_id = request.path_params["job_id"]
        outcomes = await asyncio.to_thread(self.workspace.outcomes, job.result.run.run_id)
        done = views.results_view(job.result, outcomes)["done_rows"]
        target_name = self.job_targets.get(job_id, "sandbox")
        target = await asyncio.to_thread(self.targets.get, target_name,
                                         str(body.get("password", "")))
        new_id, started = self.workspace.start_import(upload, target, also_skip=done)
        self.job_targets.setdefault(new_id, target_name)
        if not started:
            return JSONResponse({"error": "Another import is running on this journal; wait for "
                                          "it to finish or stop it.", "url": f"/jobs/{new_id}"},
                                409)
        return JSONResponse({"url": f"/jobs/{new_id}"})
