"""The page's routes: each one reads the request, makes one Workspace call (which is a library
call) and renders a template or answers JSON. Errors the person can fix come back as one sentence.

    app = create_app(WebConfig(...))      # a Starlette app; `importer serve` runs it with uvicorn
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from importer.checks.changes import ChangeRules
from importer.entities import ENTITIES
from importer.errors import ImporterError
from importer.reading import long_running
from importer.runs.pagewords import page_error
from importer.runs.runner import MODES
from importer.web import views
from importer.web.bodies import json_body as _json
from importer.web.bodies import number as _int
from importer.web.editroutes import EditRoutes
from importer.web.security import Guard, Secrets, allowed_hosts
from importer.web.targets import SandboxOptions, Targets
from importer.web.workspace import Upload, Workspace

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class WebConfig:
    journal: Path
    sandbox: SandboxOptions
    host: str = "127.0.0.1"
    port: int = 8080
    max_upload_mb: float = 50.0
    config_file: Path | None = None
    temp_root: Path | None = None
    keys: Secrets = field(default_factory=Secrets)


class Page(EditRoutes):
    """The app's state and its handlers."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.workspace = Workspace(config.temp_root, config.journal, config.config_file)
        found = self.workspace.settings()  # [masterdata] when --parts/--customers are not given
        sandbox = replace(config.sandbox,
                          parts_file=config.sandbox.parts_file or (found and found.parts),
                          customers_file=config.sandbox.customers_file or (
                              found and found.customers))
        self.workspace.parts, self.workspace.customers = sandbox.parts_file, \
            sandbox.customers_file
        self.targets = Targets(sandbox, config.config_file, config.journal)
        self.workspace.sandbox_name = self.targets.sandbox_name
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.job_targets: dict[str, str] = {}  # job id -> "sandbox" / "erp", for "retry"
        self.templates.env.globals.update(csrf=config.keys.csrf, entities=ENTITIES,
                                          modes=MODES, max_upload_mb=config.max_upload_mb)
        self.templates.env.finalize = _page_text  # no option or variable in any page text

    def close(self) -> None:
        self.workspace.close()
        self.targets.close()

    def render(self, request: Request, name: str, status: int = 200, **context) -> Response:
        running = self.workspace.running_job()
        context.setdefault("running", {"id": running[0], **running[1].snapshot()}
                           if running else None)
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def upload_of(self, request: Request) -> Upload:
        upload = self.workspace.uploads.get(request.path_params["upload_id"])
        if upload is None:
            raise _NotFound("That upload is gone (the page was restarted); upload the file again.")
        return upload

    def job_of(self, request: Request):
        found = self.workspace.jobs.get(request.path_params["job_id"])
        if found is None:
            raise _NotFound("That import is not known to this page (it was restarted); see the "
                            "history of runs.")
        return found

    # --- pages ------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        runs = [views.run_view(r) for r in self.workspace.runs()[:30]]
        return self.render(request, "index.html", runs=runs)

    async def upload(self, request: Request) -> Response:
        limit = int(self.config.max_upload_mb * 1024 * 1024)
        too_big = JSONResponse({"error": f"The file is larger than {self.config.max_upload_mb:g} "
                                         "MB, the largest upload this page was started "
                                         "to take: split the file, or start the page again "
                                         "with a higher upload limit."}, 413)
        if int(request.headers.get("content-length") or 0) > limit:
            return too_big
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return too_big
            chunks.append(chunk)
        if not size:
            return JSONResponse({"error": "The file is empty; choose a spreadsheet."}, 400)
        name = unquote(request.headers.get("x-filename", "upload.xlsx"))
        upload = await asyncio.to_thread(self.workspace.add_upload, name, b"".join(chunks))
        return JSONResponse({"url": f"/u/{upload.id}", "error": page_error(upload.error or "")
                             or None})

    async def check(self, request: Request) -> Response:
        upload = self.upload_of(request)
        q = request.query_params
        show = q.get("show") or ("issues" if q.get("issues") == "1" else "all")
        query = views.GridQuery(page=_int(q.get("page"), 1),
                                show=show if show in views.SHOWS else "all",
                                code=q.get("code", ""), column=q.get("column", ""),
                                row=_int(q.get("row"), 0), issue_page=_int(q.get("ipage"), 1))
        view = views.check_view(upload.report, query, upload.skipped) if upload.report else None
        return self.render(request, "check.html", upload=upload, view=view,
                           saved=request.query_params.get("saved") == "1",
                           status=200 if upload.report else 422)

    async def recheck(self, request: Request) -> Response:
        upload = self.upload_of(request)
        body = await _json(request)
        await asyncio.to_thread(self.workspace.check, upload, body.get("entity") or None,
                                body.get("sheet") or None)
        return JSONResponse({"url": f"/u/{upload.id}", "error": upload.error})

    async def name_columns(self, request: Request) -> Response:
        upload = self.upload_of(request)
        body = await _json(request)
        mapping = body.get("map") if isinstance(body.get("map"), dict) else {}
        mapping = {str(k): str(v) for k, v in mapping.items()}
        save_as = str(body.get("save_as") or "") or None
        saved = await asyncio.to_thread(self.workspace.name_columns, upload, mapping, save_as)
        return JSONResponse({"url": f"/u/{upload.id}", "error": upload.error,
                             "saved": str(saved) if saved else None})

    async def validation_workbook(self, request: Request) -> Response:
        upload = self.upload_of(request)
        path = await asyncio.to_thread(self.workspace.validation_workbook, upload)
        return FileResponse(path, media_type=XLSX, filename=path.name)

    async def corrected(self, request: Request) -> Response:
        upload = self.upload_of(request)
        return FileResponse(upload.current, filename=upload.name,
                            media_type="application/octet-stream")

    async def preview(self, request: Request) -> Response:
        upload = self.upload_of(request)
        if upload.report is None:
            raise ImporterError(upload.error or "The file could not be read.")
        target_name = request.query_params.get("target", "sandbox")
        target = await asyncio.to_thread(self.targets.planning, target_name)
        result, outcomes, changes = await asyncio.to_thread(
            self.workspace.preview, upload, target.settings if target else None,
            target.server_name if target else None)
        return self.render(request, "preview.html", upload=upload, target=target_name,
                           view=views.preview_view(result, outcomes, upload.report, changes),
                           erp=self.targets.erp_description())

    async def accept(self, request: Request) -> Response:
        """Accept one row's decisions (``row``) or all (no row) for the preview's target."""
        upload = self.upload_of(request)
        body = await _json(request)
        if upload.report is None:
            return JSONResponse({"error": upload.error}, 422)
        target = await asyncio.to_thread(self.targets.planning, str(body.get("target", "")))
        if target is None:
            return JSONResponse({"error": "The ERP is not configured for this page."}, 422)
        rows = [_int(body["row"], 0)] if body.get("row") is not None else None
        accepted = await asyncio.to_thread(self.workspace.accept, upload, target, rows)
        return JSONResponse({"accepted": accepted})

    async def history(self, request: Request) -> Response:
        """Every run that created or changed the record of one row (what importer history
        lists), as the lines the page shows."""
        upload = self.upload_of(request)
        if upload.report is None:
            return JSONResponse({"error": upload.error}, 422)
        events = await asyncio.to_thread(self.workspace.history, upload,
                                         _int(request.path_params["row"], 0))
        return JSONResponse({"lines": views.history_lines(events)})

    async def start_import(self, request: Request) -> Response:
        upload = self.upload_of(request)
        body = await _json(request)
        if upload.report is None:
            return JSONResponse({"error": upload.error}, 422)
        target = await asyncio.to_thread(self.targets.get, str(body.get("target", "")),
                                         str(body.get("password", "")))
        mode = str(body.get("mode") or "upsert")
        rules = ChangeRules(skip_unchanged=bool(body.get("skip_unchanged")))
        job_id, started = self.workspace.start_import(upload, target, mode=mode, rules=rules)
        self.job_targets.setdefault(job_id, str(body.get("target")))
        if not started:
            return JSONResponse({"error": "Another import is running on this journal; wait for "
                                          "it to finish or stop it.", "url": f"/jobs/{job_id}"},
                                409)
        return JSONResponse({"url": f"/jobs/{job_id}"})

    async def job(self, request: Request) -> Response:
        job, upload = self.job_of(request)
        outcomes = {}
        if job.result is not None:
            outcomes = await asyncio.to_thread(self.workspace.outcomes, job.result.run.run_id)
        job_id = request.path_params["job_id"]
        report = upload.report if upload is not None else None
        return self.render(request, "job.html", job_id=job_id,
                           target=self.job_targets.get(job_id, "sandbox"),
                           job=job.snapshot(), upload=upload,
                           view=views.results_view(job.result, outcomes, report,
                                                   _int(request.query_params.get("page"), 1)))

    async def events(self, request: Request) -> Response:
        job, _ = self.job_of(request)

        async def stream():
            while True:
                snapshot = job.snapshot()
                yield f"data: {json.dumps(snapshot)}\n\n"
                if not job.running or await request.is_disconnected():
                    return
                await asyncio.sleep(0.3)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    async def stop(self, request: Request) -> Response:
        job, _ = self.job_of(request)
        job.stop()
        return JSONResponse({"state": job.snapshot()["state"]})

    async def job_file(self, request: Request) -> Response:
        job, _ = self.job_of(request)
        which = request.path_params["which"]
        result = job.result
        path = None if result is None else (result.results_path if which == "results"
                                            else result.failed_path)
        if path is None or not Path(path).is_file():
            raise _NotFound("That workbook was not written by this import.")
        return FileResponse(path, media_type=XLSX, filename=Path(path).name)

    async def revert_page(self, request: Request) -> Response:
        run_id = _int(request.path_params["run_id"], 0)
        plan, refusal = await asyncio.to_thread(self.workspace.plan_revert, run_id)
        erp = None if plan.run.server_url.startswith("sandbox:") else \
            self.targets.erp_description()
        return self.render(request, "revert.html", view=views.revert_view(plan, refusal),
                           erp=erp)

    async def start_revert(self, request: Request) -> Response:
        run_id = _int(request.path_params["run_id"], 0)
        body = await _json(request)
        plan, _ = await asyncio.to_thread(self.workspace.plan_revert, run_id)
        target = await asyncio.to_thread(self.targets.for_run, plan.run,
                                         str(body.get("password", "")))
        job_id, started = self.workspace.start_revert(run_id, target, bool(body.get("force")))
        if not started:
            return JSONResponse({"error": "Another import is running on this journal; wait for "
                                          "it to finish or stop it.", "url": f"/jobs/{job_id}"},
                                409)
        return JSONResponse({"url": f"/jobs/{job_id}"})

    async def to_remove(self, request: Request) -> Response:
        run_id = _int(request.path_params["run_id"], 0)
        path = await asyncio.to_thread(self.workspace.removal_workbook, run_id)
        return FileResponse(path, media_type=XLSX, filename=path.name)

    async def run_report(self, request: Request) -> Response:
        run_id = _int(request.path_params["run_id"], 0)
        path = await asyncio.to_thread(self.workspace.report_workbook, run_id)
        return FileResponse(path, media_type=XLSX, filename=path.name)


def _page_text(value):
    """Every value a template prints, in the page's words (importer.runs.pagewords)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return page_error(value)
    return value


class _NotFound(ImporterError):
    exit_code = 2


def create_app(config: WebConfig) -> Starlette:
    long_running()  # a page serves for hours: what a read builds is not frozen (gc_paused)
    page = Page(config)

    async def on_error(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, _NotFound) else 400
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return page.render(request, "error.html", status=status, message=str(exc))
        return JSONResponse({"error": page_error(str(exc))}, status)

    routes = [
        Route("/", page.index),
        Route("/upload", page.upload, methods=["POST"]),
        Route("/u/{upload_id}", page.check),
        Route("/u/{upload_id}/recheck", page.recheck, methods=["POST"]),
        Route("/u/{upload_id}/cell", page.edit_cell, methods=["POST"]),
        Route("/u/{upload_id}/edit", page.change, methods=["POST"]),
        Route("/u/{upload_id}/count", page.count),
        Route("/u/{upload_id}/columns", page.name_columns, methods=["POST"]),
        Route("/u/{upload_id}/validation.xlsx", page.validation_workbook),
        Route("/u/{upload_id}/corrected", page.corrected),
        Route("/u/{upload_id}/preview", page.preview),
        Route("/u/{upload_id}/import", page.start_import, methods=["POST"]),
        Route("/u/{upload_id}/accept", page.accept, methods=["POST"]),
        Route("/u/{upload_id}/history/{row:int}", page.history),
        Route("/jobs/{job_id}", page.job),
        Route("/jobs/{job_id}/events", page.events),
        Route("/jobs/{job_id}/stop", page.stop, methods=["POST"]),
        Route("/jobs/{job_id}/fix", page.fix_and_retry, methods=["POST"]),
        Route("/jobs/{job_id}/{which:str}.xlsx", page.job_file),
        Route("/runs/{run_id:int}/results.xlsx", page.run_report),
        Route("/runs/{run_id:int}/to-remove.xlsx", page.to_remove),
        Route("/runs/{run_id:int}/revert", page.revert_page),
        Route("/runs/{run_id:int}/revert", page.start_revert, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await asyncio.to_thread(page.close)  # uploads removed, a running import stopped

    app = Starlette(routes=routes, exception_handlers={ImporterError: on_error},
                    lifespan=lifespan)
    app.state.page = page
    app.add_middleware(Guard, keys=config.keys,
                       hosts=allowed_hosts(config.host, config.port))
    return app
