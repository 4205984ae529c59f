"""The sandbox's HTTP layer: a Starlette app whose /api endpoints come from the entity registry.

Order of handling for every /api call: injected latency, then (record calls only) an injected 503;
method (405), body (400), token (401, record calls), then the service's checks (500 with
MESSAGE/MESSAGE_CODE). An injected lost response lets the call run to its end (a valid change is
committed, a business error stays an error) and then answers 504 with an HTML proxy page instead.
The three informational endpoints also accept an empty body (taken as ``{}``); every other body
must be a JSON object. A path under /api that is not an endpoint answers 404 UNKNOWN_ENDPOINT.
With a capacity (``capacity.py``), record calls wait for a place before all of that, and a call
that finds the queue full is answered 503 (or 429) at once.
Every /api answer is counted per path and status in the statistics, injected faults included;
a call with an injected delay carries it in the ``X-Sandbox-Delay-Ms`` header.
Outside /api, token-free GET endpoints let tests and rehearsals look inside:
``/_sandbox/records/<entity>``, ``/_sandbox/stats``, and ``POST /_sandbox/reset`` (drops records
and statistics).
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from datetime import datetime
from typing import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from importer import __version__
from importer.entities import (API_VERSION_PATH, AUTH_PATH, AUTH_TOKEN, DATA_SOURCES_PATH,
                               ENTITIES, SERVER_TIME_PATH, Entity)
from importer.sandbox.capacity import RETRY_AFTER_SECONDS, CapacityGate, limit_concurrency
from importer.sandbox.faults import LOST_RESPONSE_HTML, Fault, FaultPlan
from importer.sandbox.rules import ApiError
from importer.sandbox.service import Service

log = logging.getLogger(__name__)
CLIENT_GONE = 499  # counted in /_sandbox/stats as nginx does: the client closed the connection

API_VERSION = f"{__version__}-sandbox"
NOT_POST = ApiError(405, "Request method must be POST.", "METHOD_NOT_ALLOWED")
BAD_JSON = ApiError(400, "Request JSON is invalid.", "INVALID_JSON")
UNAVAILABLE = ApiError(503, "The service is temporarily unavailable.", "SERVICE_UNAVAILABLE")
TOO_MANY = ApiError(429, "Too many requests; try again later.", "TOO_MANY_REQUESTS")
NO_FAULT = Fault(0.0, False, False)
DELAY_HEADER = "X-Sandbox-Delay-Ms"  # the injected delay of this call, in milliseconds
# /api answers every method itself, so that a wrong one gets the contract's 405 body.
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]

def _json(status: int, body) -> Response:
    return Response(json.dumps(body), status, media_type="application/json")


class CallStats:
    """Calls per path and HTTP status, injected faults included."""

    def __init__(self) -> None:
        self._calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._lock = threading.Lock()

    def count(self, path: str, status: int) -> None:
        with self._lock:
            self._calls[path][str(status)] += 1

    def as_dict(self) -> dict:
        with self._lock:
            return {"calls": {p: dict(s) for p, s in self._calls.items()}}

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


async def _body(request: Request, empty_ok: bool = False) -> dict:
    raw = await request.body()
    if empty_ok and not raw.strip():
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        raise BAD_JSON from None
    if not isinstance(values, dict):
        raise BAD_JSON
    return values


def _direct_first(direct: dict[str, Callable[[Request], Awaitable[Response]]],
                  app: Starlette) -> ASGIApp:
    """The app, with the /api endpoints called straight from a dict (they are the hot path:
    no walk through the route list, no per-route wrapping); anything else goes through
    Starlette's router, which holds the same endpoints."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = direct.get(scope["path"]) if scope["type"] == "http" else None
        if endpoint is None:
            await app(scope, receive, send)
            return
        response = await endpoint(Request(scope, receive))
        await response(scope, receive, send)

    return asgi


class SandboxApp:
    """Holds the service, the fault plan and the statistics; builds the Starlette app."""

    def __init__(self, service: Service, faults: FaultPlan, capacity: CapacityGate | None = None,
                 overload_status: int = 503) -> None:
        self.service = service
        self.faults = faults
        self.capacity = capacity  # at most N record calls served at once (capacity.py)
        self.overload_status = overload_status
        self.stats = CallStats()

    def build(self) -> ASGIApp:
        info = {
            DATA_SOURCES_PATH: lambda: {"DATA_SOURCES": list(self.service.data_sources)},
            SERVER_TIME_PATH: lambda: {"SERVER_TIME": datetime.now().strftime("%Y-%m-%dT%H:%M:%S")},
            API_VERSION_PATH: lambda: {"API_VERSION": API_VERSION},
        }
        api = [(AUTH_PATH, self._auth, False)]
        api += [(path, self._info(answer), False) for path, answer in info.items()]
        for entity in ENTITIES.values():
            api.append((entity.create_path, self._record(entity, update=False), True))
            api.append((entity.update_path, self._record(entity, update=True), True))
        direct = {path: self._limited(path, self._endpoint(path, work, record), record)
                  for path, work, record in api}
        routes = [Route(path, endpoint, methods=ANY_METHOD) for path, endpoint in direct.items()]
        routes += [
            Route("/api/{name:path}", self._unknown_api, methods=ANY_METHOD),
            Route("/_sandbox/records/{entity}", self._records, methods=["GET"]),
            Route("/_sandbox/stats", self._stats, methods=["GET"]),
            Route("/_sandbox/reset", self._reset, methods=["POST"]),
        ]
        return _direct_first(direct, Starlette(routes=routes))

    # --- /api ----------------------------------------------------------------------------------
    def _endpoint(self, path: str, work: Callable[[Request], Awaitable[dict]], record: bool):
        faults = self.faults

        async def endpoint(request: Request) -> Response:
            fault = NO_FAULT
            if faults.active:
                fault = faults.for_record_call() if record else faults.for_other_call()
                if fault.delay:
                    await asyncio.sleep(fault.delay)
            try:
                if fault.fail:
                    raise UNAVAILABLE
                if request.method != "POST":
                    raise NOT_POST
                body = await work(request)
                status, response = 200, _json(200, body)
            except ApiError as exc:
                status, response = exc.status, _json(exc.status, exc.body())
            except ClientDisconnect:  # the client gave up (e.g. its read timeout): nobody to answer
                log.debug("Client left before its request to %s was read", path)
                self.stats.count(path, CLIENT_GONE)
                return Response(status_code=CLIENT_GONE)
            except Exception:  # a sandbox bug must still answer with the contract's body
                log.exception("Sandbox failure on %s", path)
                status, response = 500, _json(500, {"MESSAGE": "The sandbox failed unexpectedly.",
                                                    "MESSAGE_CODE": "SANDBOX_ERROR"})
            if fault.lose:
                status, response = 504, Response(LOST_RESPONSE_HTML, 504, media_type="text/html")
            if fault.delay:  # lets a test compare injected delays without timing anything
                response.headers[DELAY_HEADER] = f"{fault.delay * 1000:.3f}"
            self.stats.count(path, status)
            return response

        return endpoint

    def _limited(self, path: str, endpoint, record: bool):
        if not record or self.capacity is None:
            return endpoint

        async def overloaded() -> Response:
            self.stats.count(path, self.overload_status)
            if self.overload_status == 429:
                return Response(json.dumps(TOO_MANY.body()), 429, media_type="application/json",
                                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            return _json(503, UNAVAILABLE.body())

        return limit_concurrency(endpoint, self.capacity, overloaded)

    async def _auth(self, request: Request) -> dict:
        return self.service.login(await _body(request))

    def _info(self, answer: Callable[[], dict]):
        async def work(request: Request) -> dict:
            await _body(request, empty_ok=True)
            return answer()

        return work

    def _record(self, entity: Entity, update: bool):
        service = self.service
        act = service.update if update else service.create

        async def work(request: Request) -> dict:
            values = await _body(request)
            user = service.tokens.user_of(values.pop(AUTH_TOKEN, None))
            return act(entity, values, user)

        return work

    async def _unknown_api(self, request: Request) -> Response:
        path = request.url.path
        self.stats.count(path, 404)
        return _json(404, {"MESSAGE": f"There is no endpoint {path}.",
                           "MESSAGE_CODE": "UNKNOWN_ENDPOINT"})

    # --- /_sandbox -----------------------------------------------------------------------------
    async def _records(self, request: Request) -> Response:
        name = request.path_params["entity"]
        entity = ENTITIES.get(name)
        if entity is None:
            message = f"Unknown entity {name}; choose one of: {', '.join(ENTITIES)}."
            return _json(404, {"MESSAGE": message, "MESSAGE_CODE": "UNKNOWN_ENTITY"})
        return _json(200, self.service.records(entity))

    async def _stats(self, request: Request) -> Response:
        return _json(200, self.stats.as_dict())

    async def _reset(self, request: Request) -> Response:
        self.service.store.clear()
        self.stats.clear()
        return _json(200, {"RESET": "records and statistics cleared"})
