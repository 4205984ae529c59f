"""uvicorn's HTTP protocol with one change: the writes of one loop iteration leave in one send.

uvicorn writes a response's head and body separately, so every answer costs two ``send`` calls;
on loopback, where the peer is woken per segment, that second send is a large share of a call's
cost. Gathering the writes made during one event-loop iteration (a response's head and body are
written without yielding in between) and sending them together at the end of it halves that,
without delaying anything by more than one loop iteration.
"""
from __future__ import annotations

import asyncio

try:  # httptools parses faster than h11; both are uvicorn's own implementations
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - httptools is a dependency, h11 the fallback
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base


class CoalescingTransport:
    """Wraps a transport: ``write`` gathers bytes, sent once at the end of the loop iteration."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def _flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class SandboxHttpProtocol(_Base):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
