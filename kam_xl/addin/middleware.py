"""The ASGI middleware of the server: a body limit, security headers, CORS for Office hosts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from fastapi.responses import JSONResponse, Response
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kam_xl.addin.pages import FUNCTIONS_CALL_PATH, SCRIPTS_CALL_PATH

#: Origins of Excel on the web and of Office's add-in hosts, matched in full (scheme, host, no port).
OFFICE_ORIGIN_REGEX = (
    r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|office\.com|office365\.com|office\.net|"
    r"sharepoint\.com|microsoft365\.com|cloud\.microsoft)"
)


class BodyTooLarge(HTTPException):
    """A request body above the configured limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large — allowed: at most {_size(limit)}")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class BodyLimitMiddleware:
    """Refuse request bodies above ``limit`` bytes: by ``Content-Length`` before reading, and while reading for
    chunked bodies that announce no length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                await _json_error(send, 400, "Content-Length is not a number")
                return
            if int(length) > self.limit:
                await _json_error(send, 413, BodyTooLarge(self.limit).detail)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await _json_error(send, 413, exc.detail)


async def _json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    """Headers on every response: no MIME sniffing, no referrer, HSTS over HTTPS, no caching of API answers."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.headers = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").startswith((FUNCTIONS_CALL_PATH, SCRIPTS_CALL_PATH))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = self.headers + ([(b"cache-control", b"no-store")] if api else [])
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


class OfficeCORSMiddleware(CORSMiddleware):
    """Starlette's CORS with a JSON answer when a preflight is refused."""

    def preflight_response(self, request_headers: Any) -> Response:
        """Allow the preflight as Starlette does, or refuse it with ``{"error": …}`` naming the origin."""
        response = super().preflight_response(request_headers)
        if response.status_code == 400:
            origin = request_headers.get("origin", "")
            reason = bytes(response.body).decode(errors="replace")
            return JSONResponse({"error": f"CORS preflight refused for origin {origin!r}: {reason} — allowed: "
                                          "Office hosts (*.officeapps.live.com, *.office.com, …) and this server"},
                                status_code=400)
        return response


