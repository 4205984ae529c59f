"""The sandbox: a local Expandable-compatible API server for rehearsals, the demo and the tests.

Start it with ``importer.sandbox.server.start_sandbox`` (in-process, background thread) or the
``importer sandbox`` command. Modules: ``server`` (config, start/stop), ``app`` (HTTP layer,
Starlette), ``http`` (uvicorn protocol: one send per response), ``service`` (tokens, create,
update), ``rules`` (request checks, pure), ``store`` (SQLite), ``master`` (parts/customers files),
``faults`` (seeded fault injection), ``demo`` (built-in master data and credentials).
"""
