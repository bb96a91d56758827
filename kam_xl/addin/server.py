"""``kam-xl serve``: the ``udfs`` functions and macros for Excel desktop, Mac and web (xlwings Server, Office.js).

A FastAPI app built by :func:`create_app` from :class:`ServerSettings`. It speaks the protocol of xlwings'
server side (``xlwings.server``; the Office.js client is in ``static/``):

=====================================  ======  ====================================================
``/manifest.xml``                      GET     the add-in manifest Excel installs (:mod:`.manifest`)
``/taskpane``                          GET     task pane: one button per macro, the credential field
``/xlwings/custom-functions-meta``     GET     function metadata Excel registers (names, argument help)
``/xlwings/custom-functions-code``     GET     JavaScript that forwards each function call here
``/xlwings/custom-scripts-meta``       GET     the macros (xlwings scripts) and their options
``/xlwings/custom-functions-call``     POST    one function call → ``{"result": [[...]]}``      (auth)
``/xlwings/custom-scripts-call/NAME``  POST    one macro run on the posted workbook → actions     (auth)
``/health``                            GET     ``{"status": "ok", ...}``
=====================================  ======  ====================================================

Excel loads the manifest, metadata, code, page and icons itself, without credentials; they hold nothing
secret. Calls need an API key (header ``X-API-Key``, or the key alone in ``Authorization`` as xlwings' own clients
send their ``AUTH`` setting) or a bearer token (``Authorization: Bearer …``); the user types it once into the
task pane. Security settings:

* authentication is on unless ``no_auth`` is set explicitly, which only a loopback host allows;
* request bodies above ``max_body_bytes`` are refused with 413 (by their length before reading; a chunked body
  once the limit is reached);
* CORS answers only Office's own origins (:data:`OFFICE_ORIGIN_REGEX`) and the server's own origin;
* HTTPS when a certificate and key are given (Excel loads add-ins over HTTPS only; plain HTTP is for
  loopback tests or behind a TLS proxy named by ``public_url``).

Every error comes back as JSON ``{"error": "…"}`` with a message that says what is wrong — never a traceback.

xlwings' server part is licensed: :func:`check_licence` stops the start unless ``XLWINGS_LICENSE_KEY`` holds
``noncommercial`` (noncommercial use) or an xlwings PRO key (commercial use). The classic add-in needs no key.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import inspect
import ipaddress
import json
import logging
import math
import os
import types
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kam_xl.addin import manifest
from kam_xl.errors import describe

log = logging.getLogger("kam_xl.server")

ENV_PREFIX = "KAM_XL_"
#: Origins of Excel on the web and of Office's add-in hosts, matched in full (scheme, host, no port).
OFFICE_ORIGIN_REGEX = (
    r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|office\.com|office365\.com|office\.net|"
    r"sharepoint\.com|microsoft365\.com|cloud\.microsoft)"
)
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
#: Shortest API key or bearer token accepted (e.g. ``python -c "import secrets; print(secrets.token_urlsafe(32))"``).
MIN_SECRET_LENGTH = 16
#: Where the task pane keeps the credential (``localStorage``), shared with the custom functions' code.
CREDENTIAL_KEY = "kam-xl-credential"
STATIC_DIR = Path(__file__).with_name("static")
FUNCTIONS_CALL_PATH = "/xlwings/custom-functions-call"
SCRIPTS_CALL_PATH = "/xlwings/custom-scripts-call/"
LICENCE_HELP = (
    "xlwings Server (kam-xl serve) needs an xlwings licence key in the environment variable XLWINGS_LICENSE_KEY: "
    "XLWINGS_LICENSE_KEY=noncommercial for noncommercial use (PolyForm Noncommercial licence), or an xlwings "
    "PRO key for commercial use (https://www.xlwings.org). The classic xlwings add-in needs no key."
)
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_TRUE = ("1", "true", "yes", "on")


class ServerConfigError(RuntimeError):
    """The server cannot start: a setting, the xlwings licence key or a function is not usable as it is."""


class ServerSettings(BaseModel):
    """How ``kam-xl serve`` listens, who may call it and how large a request may be.

    Built from the command line and the environment by :meth:`from_env` (``KAM_XL_*`` variables); every rule
    below is checked when the settings are made, so a bad combination stops the start with a clear message.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    #: The address Excel reaches the server at when it is not ``scheme://host:port`` (e.g. behind a proxy).
    public_url: str | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    api_keys: tuple[SecretStr, ...] = ()
    bearer_tokens: tuple[SecretStr, ...] = ()
    #: No authentication at all: only for development on a loopback host, and only when asked for.
    no_auth: bool = False
    max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, ge=1024)
    addin_name: str = "kam_xl"

    @field_validator("public_url")
    @classmethod
    def _plain_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/") or parts.query:
            raise ValueError(f"{value!r} — allowed: scheme://host[:port] without a path, e.g. https://kam.example.com")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("api_keys", "bearer_tokens")
    @classmethod
    def _long_enough(cls, values: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for i, secret in enumerate(values, start=1):
            n = len(secret.get_secret_value())
            if n < MIN_SECRET_LENGTH or secret.get_secret_value().strip() != secret.get_secret_value():
                raise ValueError(f"secret {i} has {n} characters or surrounding blanks — allowed: at least "
                                 f"{MIN_SECRET_LENGTH} characters without blanks, e.g. from "
                                 "python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> ServerSettings:
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("HTTPS needs both --ssl-certfile and --ssl-keyfile (KAM_XL_SSL_CERTFILE/_KEYFILE); "
                             "only one was given")
        for what, path in (("certificate", self.ssl_certfile), ("key", self.ssl_keyfile)):
            if path is not None and not path.is_file():
                raise ValueError(f"the TLS {what} file {str(path)!r} does not exist")
        if self.host in _WILDCARD_HOSTS and self.public_url is None:
            raise ValueError(f"--host {self.host!r} listens on every interface: give --public-url "
                             "(KAM_XL_PUBLIC_URL), the address Excel uses to reach this server")
        credentials = bool(self.api_keys or self.bearer_tokens)
        if self.no_auth and credentials:
            raise ValueError("--no-auth and API keys or bearer tokens were both given — choose one")
        if self.no_auth and not self.is_loopback:
            raise ValueError(f"--no-auth is only allowed on a loopback host (127.0.0.1, ::1, localhost), "
                             f"not on {self.host!r}: anyone on the network could run the macros")
        if not self.no_auth and not credentials:
            raise ValueError("no API key or bearer token is configured: set KAM_XL_API_KEYS or "
                             "KAM_XL_BEARER_TOKENS (or --api-key/--bearer-token), or use --no-auth for "
                             "development on 127.0.0.1")
        return self

    @property
    def https(self) -> bool:
        """True when the server itself speaks TLS (a certificate and key are given)."""
        return self.ssl_certfile is not None

    @property
    def is_loopback(self) -> bool:
        """True when only this machine can reach the server."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def local_url(self) -> str:
        """``scheme://host:port`` as the server listens."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.https else 'http'}://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The address the manifest gives Excel: ``public_url`` when set, else where the server listens."""
        return self.public_url or self.local_url

    @property
    def own_origins(self) -> list[str]:
        """The server's own origins, allowed by CORS besides Office's."""
        origins = [self.local_url, self.base_url]
        if self.is_loopback:
            origins.append(f"{'https' if self.https else 'http'}://localhost:{self.port}")
        return sorted(set(origins))

    @property
    def auth_scheme(self) -> Literal["api-key", "bearer", "none"]:
        """Which header the task pane and the functions send the user's credential in."""
        if self.api_keys:
            return "api-key"
        return "bearer" if self.bearer_tokens else "none"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Settings from ``KAM_XL_*`` environment variables, with ``overrides`` (command-line options) on top.

        Overrides that are ``None`` (an option not given) leave the environment's value. Variables:
        ``KAM_XL_HOST``, ``KAM_XL_PORT``, ``KAM_XL_PUBLIC_URL``, ``KAM_XL_SSL_CERTFILE``, ``KAM_XL_SSL_KEYFILE``,
        ``KAM_XL_API_KEYS`` and ``KAM_XL_BEARER_TOKENS`` (comma-separated; ``KAM_XL_API_KEY`` and
        ``KAM_XL_BEARER_TOKEN`` for a single one), ``KAM_XL_NO_AUTH`` (1/true),
        ``KAM_XL_MAX_BODY_MB``. Raises :class:`ServerConfigError` naming the variable or option at fault.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}

        def raw(name: str) -> str | None:
            text = env.get(ENV_PREFIX + name)
            return text.strip() if text is not None and text.strip() else None

        for name in ("HOST", "PUBLIC_URL", "SSL_CERTFILE", "SSL_KEYFILE"):
            if (text := raw(name)) is not None:
                values[name.lower()] = text
        if (text := raw("PORT")) is not None:
            values["port"] = _env_number(ENV_PREFIX + "PORT", text, int)
        if (text := raw("MAX_BODY_MB")) is not None:
            values["max_body_bytes"] = int(_env_number(ENV_PREFIX + "MAX_BODY_MB", text, float) * 1024 * 1024)
        for name in ("API_KEYS", "BEARER_TOKENS"):  # KAM_XL_API_KEY / _BEARER_TOKEN: one, …S: comma-separated
            parts = [p.strip() for p in (raw(name) or "").split(",") if p.strip()]
            parts += [text] if (text := raw(name[:-1])) is not None else []
            if parts:
                values[name.lower()] = tuple(parts)
        if (text := raw("NO_AUTH")) is not None:
            values["no_auth"] = text.lower() in _TRUE
        for key, value in overrides.items():
            if value is None or (isinstance(value, list | tuple) and not value):
                continue
            values[key] = tuple(value) if isinstance(value, list) else value
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ServerConfigError(f"server settings: {describe(exc)}") from None


def _env_number(name: str, text: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise ServerConfigError(f"{name}={text!r} — allowed: a number") from None


def check_licence() -> str:
    """The kind of xlwings licence in ``XLWINGS_LICENSE_KEY`` (``noncommercial`` or ``commercial``).

    Raises :class:`ServerConfigError` with what to set when the key is missing or xlwings refuses it.
    """
    key = os.environ.get("XLWINGS_LICENSE_KEY", "").strip()
    if not key:
        raise ServerConfigError("XLWINGS_LICENSE_KEY is not set. " + LICENCE_HELP)
    import xlwings

    try:
        from xlwings.pro.utils import LicenseHandler

        info = LicenseHandler.validate_license("pro")
    except xlwings.LicenseError as exc:
        raise ServerConfigError(f"XLWINGS_LICENSE_KEY is not accepted by xlwings ({exc}). {LICENCE_HELP}") from None
    return "noncommercial" if info.get("license_type") == "noncommercial" else "commercial"


def _ensure_server_engines() -> None:
    """Register xlwings' Office.js and remote engines.

    ``import xlwings`` registers them only when the licence key was already set at that moment; a process
    that imported xlwings earlier (a test session, a notebook) gets them here, as xlwings' ``__init__`` would.
    """
    import xlwings
    from xlwings.pro import _xlofficejs, _xlremote

    _no_pyodide_probe()
    present = [engine.name for engine in xlwings.engines]
    if "remote" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlremote.engine))
    if "officejs" not in present:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlofficejs.engine))


def _no_pyodide_probe() -> None:
    """Look for Pyodide once, not once per cell.

    xlwings (0.37) asks every cell of a custom function's arguments whether it is Pyodide's ``JsNull``
    (``xlwings.utils.is_jsnull``), by running ``from pyodide.ffi import JsNull`` each time. Outside Pyodide that
    import fails, and Python does not remember failed imports: every cell searches ``sys.path`` again, about
    70 µs a cell — 3.5 s of a 10,000 × 5 call that otherwise takes under 0.5 s. The check is replaced by one
    with the same answers whose import ran once (Pyodide cannot appear in a running process).
    """
    from xlwings import utils

    if getattr(utils.is_jsnull, "kam_xl_cached", False):
        return
    try:
        from pyodide.ffi import JsNull  # type: ignore[import-not-found]
    except ImportError:
        JsNull = None

    def is_jsnull(value: object) -> bool:
        return JsNull is not None and isinstance(value, JsNull)

    is_jsnull.__doc__ = utils.is_jsnull.__doc__
    is_jsnull.kam_xl_cached = True  # type: ignore[attr-defined]
    utils.is_jsnull = is_jsnull


# --------------------------------------------------------------------------------------------------------------
# What the functions and macros of the udfs package are


class Catalogue:
    """The functions (``@xw.func``) and macros (``@xw.script``) of a module loaded with xlwings Server's
    decorators, by Python name; only these names can be called."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        order = list(getattr(module, "__all__", []))
        members = dict(inspect.getmembers(module, callable))
        names = [n for n in order if n in members] + sorted(n for n in members if n not in order)
        self.functions = {n: members[n] for n in names if hasattr(members[n], "__xlfunc__")}
        self.scripts = {n: members[n] for n in names if hasattr(members[n], "__xlscript__")}
        for name, func in self.functions.items():
            if inspect.isasyncgenfunction(func):
                raise ServerConfigError(f"{module.__name__}.{name} is a streaming function: kam-xl serve has no "
                                        "socket.io channel for streaming results")

    def metadata(self) -> dict[str, Any]:
        """Excel's custom-function metadata (xlwings' own), descriptions folded onto one line."""
        import xlwings.server

        meta = xlwings.server.custom_functions_meta(self.module)
        for func in meta["functions"]:
            func["description"] = _one_line(func["description"])
            for param in func["parameters"]:
                param["description"] = _one_line(param["description"])
        return meta

    def script_meta(self) -> list[dict[str, Any]]:
        """The macros with their xlwings options (display name, include/exclude sheets, button), in order."""
        import xlwings.server

        meta = {m["function_name"]: m for m in xlwings.server.custom_scripts_meta(self.module)}
        return [meta[name] for name in self.scripts if name in meta]

    def script_label(self, name: str) -> str:
        """The button text of a macro: its xlwings ``name=``, else the Python name without the ``kam_`` prefix
        (``kam_refresh_plan`` → "Refresh plan")."""
        given = self.scripts[name].__xlscript__.get("name")
        if given:
            return str(given)
        words = name.removeprefix("kam_").replace("_", " ").strip()
        return words[:1].upper() + words[1:] if words else name

    def script_doc(self, name: str) -> str:
        """The first paragraph of a macro's docstring."""
        doc = inspect.getdoc(self.scripts[name]) or ""
        return _one_line(doc.split("\n\n")[0])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def functions_code(catalogue: Catalogue, settings: ServerSettings) -> str:
    """The custom functions' JavaScript: configuration, the client (``static/functions.js``) and one
    ``CustomFunctions.associate`` per function. Names go in as JSON string literals only.

    kam_xl's own client, not ``xlwings.server.custom_functions_code``: that reads ``custom_functions_code.js``,
    which the xlwings 0.37.8 wheel does not contain, and expects globals of xlwings Server's own front end
    (``xlwings.getCultureInfoName``, ``config``). The client here posts the same body (see :class:`FunctionCall`).
    """
    import xlwings

    config = {
        "callUrl": FUNCTIONS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    lines = [f"globalThis.KAM_XL_CONFIG = {_script_json(config)};", (STATIC_DIR / "functions.js").read_text("utf-8")]
    for name, func in catalogue.functions.items():
        excel_id = func.__xlfunc__["name"].upper()
        lines.append(f"CustomFunctions.associate({json.dumps(excel_id)}, function () {{ "
                     f"return globalThis.kamXlFunctions.call({json.dumps(name)}, arguments); }});")
    return "\n".join(lines) + "\n"


def _script_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element and in JavaScript source."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def taskpane_html(catalogue: Catalogue, settings: ServerSettings, licence: str) -> str:
    """The task pane page: one button per macro, the credential field when authentication is on."""
    import xlwings

    config = {
        "scriptUrl": SCRIPTS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    buttons = []
    for meta in catalogue.script_meta():
        name = meta["function_name"]
        attrs = {
            "data-script": name,
            "data-include": meta.get("include") or "",
            "data-exclude": meta.get("exclude") or "",
            "title": catalogue.script_doc(name),
        }
        attr_text = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items())
        buttons.append(f'    <button type="button" {attr_text}>{html.escape(catalogue.script_label(name))}</button>')
    if not buttons:
        buttons.append('    <p class="hint">No macros are installed on this server.</p>')
    label = {"api-key": "API key", "bearer": "Access token", "none": ""}[settings.auth_scheme]
    auth = "" if settings.auth_scheme == "none" else f"""  <section id="kam-auth">
    <h2>{label}</h2>
    <p class="hint">Stored in this Excel only; the functions and macros send it to the server.</p>
    <input id="kam-credential" type="password" autocomplete="off" aria-label="{label}" />
    <button type="button" id="kam-credential-save" class="secondary">Save</button>
  </section>
"""
    licence_note = ("xlwings Server under the PolyForm Noncommercial licence — for noncommercial use only"
                    if licence == "noncommercial" else "xlwings Server under an xlwings PRO licence")
    name = html.escape(settings.addin_name)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>{name}</title>
  <link rel="stylesheet" href="/static/taskpane.css" />
  <script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>
  <script id="kam-xl-config" type="application/json">{_script_json(config)}</script>
  <script src="/static/taskpane.js" defer></script>
  <script src="{manifest.FUNCTIONS_CODE_PATH}" defer></script>
</head>
<body>
  <h1>{name}</h1>
  <p class="hint">Key account management functions (=KAM.…) and macros for this workbook.</p>
  <section id="kam-macros">
    <h2>Macros</h2>
{chr(10).join(buttons)}
  </section>
  <p id="kam-status" class="status" role="status" aria-live="polite"></p>
{auth}  <footer>{html.escape(licence_note)}.</footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------------------------
# Request bodies


class FunctionCall(BaseModel):
    """What the Office.js client posts for one custom function call (xlwings' wire format)."""

    model_config = ConfigDict(extra="allow")

    func_name: str = Field(min_length=1, max_length=200)
    #: One entry per argument, each a 2-D array (rows of cells) as Excel passes ranges; ``null`` when omitted.
    args: list[Any]
    caller_address: str | None = None
    culture_info_name: str | None = None
    date_format: str | None = None
    version: str = Field(default_factory=lambda: _xlwings_version())
    runtime: str = Field("1.1", pattern=r"^\d+\.\d+$")
    client: str = "Office.js"


class BookInfo(BaseModel):
    """The workbook part of a macro's request: name, active sheet, selection."""

    model_config = ConfigDict(extra="allow")

    name: str
    active_sheet_index: int = Field(ge=0)
    selection: str | None = None


class SheetData(BaseModel):
    """One sheet of a macro's request: its values from A1 to the last used cell."""

    model_config = ConfigDict(extra="allow")

    name: str
    values: list[list[Any]]
    pictures: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []


class BookPayload(BaseModel):
    """What the task pane posts to run a macro: the workbook as xlwings' ``xw.Book(json=...)`` reads it."""

    model_config = ConfigDict(extra="allow")

    client: str = "Office.js"
    version: str = Field(default_factory=lambda: _xlwings_version())
    book: BookInfo
    names: list[dict[str, Any]] = []
    sheets: list[SheetData] = Field(min_length=1)

    @model_validator(mode="after")
    def _active_sheet_exists(self) -> BookPayload:
        if self.book.active_sheet_index >= len(self.sheets):
            raise ValueError(f"book.active_sheet_index {self.book.active_sheet_index} — allowed: 0 to "
                             f"{len(self.sheets) - 1} (one per sheet)")
        return self


def _xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


# --------------------------------------------------------------------------------------------------------------
# Middleware


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
        api = scope.get("path", "").startswith(("/xlwings/custom-functions-call", SCRIPTS_CALL_PATH))

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


# --------------------------------------------------------------------------------------------------------------
# The app


def create_app(settings: ServerSettings, udfs_module: types.ModuleType | None = None) -> FastAPI:
    """The FastAPI app serving ``udfs_module`` (default: the ``udfs`` package with xlwings Server's decorators,
    :func:`kam_xl.addin.runtime.load_udfs`). Raises :class:`ServerConfigError` without a usable licence key."""
    licence = check_licence()
    _ensure_server_engines()
    if udfs_module is None:
        from kam_xl.addin.runtime import load_udfs

        udfs_module = load_udfs("server")
    catalogue = Catalogue(udfs_module)
    metadata = catalogue.metadata()
    code = functions_code(catalogue, settings)
    page = taskpane_html(catalogue, settings, licence)
    manifest_text = manifest.manifest_xml(settings.base_url, name=settings.addin_name, version=_manifest_version())

    app = FastAPI(title="kam_xl", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.catalogue = catalogue
    app.state.licence = licence
    _install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(OfficeCORSMiddleware, allow_origins=settings.own_origins,
                       allow_origin_regex=OFFICE_ORIGIN_REGEX, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-API-Key"], max_age=600)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    authenticate = _authenticator(settings)

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"name": settings.addin_name, "manifest": settings.base_url + "/manifest.xml",
                "taskpane": settings.base_url + manifest.TASKPANE_PATH,
                "functions": list(catalogue.functions), "scripts": list(catalogue.scripts)}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "functions": len(catalogue.functions), "scripts": len(catalogue.scripts),
                "licence": licence}

    @app.get("/manifest.xml")
    async def manifest_xml() -> Response:
        return Response(manifest_text, media_type="application/xml")

    @app.get(manifest.TASKPANE_PATH)
    async def taskpane() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(manifest.FUNCTIONS_META_PATH)
    async def functions_meta() -> JSONResponse:
        return JSONResponse(metadata)

    @app.get(manifest.FUNCTIONS_CODE_PATH)
    async def functions_code_js() -> Response:
        return Response(code, media_type="text/javascript")

    @app.get("/xlwings/custom-scripts-meta")
    async def scripts_meta() -> JSONResponse:
        return JSONResponse(catalogue.script_meta())

    @app.post(FUNCTIONS_CALL_PATH, dependencies=[Depends(authenticate)])
    async def call_function(call: FunctionCall) -> JSONResponse:
        func = catalogue.functions.get(call.func_name)
        if func is None:
            raise HTTPException(404, f"unknown function {call.func_name!r} — allowed: "
                                     f"{', '.join(catalogue.functions) or 'none installed'}")
        _check_arity(call.func_name, func.__xlfunc__["args"], len(call.args))
        data = {**call.model_dump(exclude={"args"}), "args": call.args}  # the cells as parsed, not copied
        result = await _run(call.func_name, lambda: _custom_function(data, udfs_module))
        return JSONResponse({"result": _finite(result, call.runtime)})

    @app.post(SCRIPTS_CALL_PATH + "{script_name}", dependencies=[Depends(authenticate)])
    async def call_script(script_name: str, payload: BookPayload) -> JSONResponse:
        if script_name not in catalogue.scripts:
            raise HTTPException(404, f"unknown macro {script_name!r} — allowed: "
                                     f"{', '.join(catalogue.scripts) or 'none installed'}")
        data = payload.model_dump()
        actions = await _run(script_name, lambda: _custom_script(data, udfs_module, script_name))
        return JSONResponse(actions)

    return app


def _manifest_version() -> str:
    """kam_xl's version as the manifest's four numbers (``0.1.0`` → ``0.1.0.0``): Excel updates the add-in when
    it grows."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numbers = [int(part) for part in version("kam-xl").split(".")[:4] if part.isdigit()]
    except PackageNotFoundError:
        numbers = []
    return ".".join(str(n) for n in [*numbers, 0, 0, 0, 0][:4]) if numbers else "1.0.0.0"


def _authenticator(settings: ServerSettings) -> Callable[..., Awaitable[None]]:
    keys = [s.get_secret_value().encode() for s in settings.api_keys]
    tokens = [s.get_secret_value().encode() for s in settings.bearer_tokens]
    wanted = " or ".join(
        [h for h, on in (("the header X-API-Key: <key>", keys), ("Authorization: Bearer <token>", tokens)) if on]
    )

    def matches(value: str, secrets: list[bytes]) -> bool:
        given, found = value.encode(), False
        for secret in secrets:  # every one compared, in constant time each
            found |= hmac.compare_digest(given, secret)
        return found

    async def authenticate(x_api_key: str | None = Header(None), authorization: str | None = Header(None)) -> None:
        if settings.no_auth:
            return
        if not x_api_key and not authorization:
            raise HTTPException(401, f"no credential sent — send {wanted}", headers={"WWW-Authenticate": "Bearer"})
        if x_api_key and matches(x_api_key, keys):
            return
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip() and matches(token.strip(), tokens):
            return
        if authorization and not token and matches(scheme, keys):  # xlwings clients' AUTH: the key as it is
            return
        raise HTTPException(401, f"the credential sent is not valid — send {wanted} with a key this server knows",
                            headers={"WWW-Authenticate": "Bearer"})

    return authenticate


def _check_arity(name: str, args_info: list[dict[str, Any]], given: int) -> None:
    if any(a["vararg"] for a in args_info):
        return
    required = [a["name"] for a in args_info if "optional" not in a]
    if given > len(args_info) or given < len(required):
        names = ", ".join(a["name"] + ("" if "optional" not in a else " (optional)") for a in args_info)
        raise HTTPException(422, f"{name} takes {len(required)} to {len(args_info)} arguments ({names}) — "
                                 f"{given} were sent")


def _custom_function(data: dict[str, Any], module: types.ModuleType) -> Any:
    import xlwings.server

    return asyncio.run(xlwings.server.custom_functions_call(data, module))


def _custom_script(data: dict[str, Any], module: types.ModuleType, name: str) -> Any:
    import xlwings as xw
    import xlwings.server

    book = xw.Book(json=data)
    try:
        asyncio.run(xlwings.server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
        return book.json()
    finally:
        book.close()


async def _run(name: str, work: Callable[[], Any]) -> Any:
    """Run a function or macro in a worker thread (a long macro must not stall other requests); xlwings'
    own errors become 400, anything else 500 — both with a short message, the traceback only in the log."""
    import xlwings

    try:
        return await run_in_threadpool(work)
    except HTTPException:
        raise
    except xlwings.XlwingsError as exc:
        raise HTTPException(400, f"{name}: {exc}") from None
    except Exception as exc:
        log.exception("%s failed", name)
        raise HTTPException(500, f"{name} failed: {type(exc).__name__}: {exc}") from None


def _finite(result: Any, runtime: str) -> Any:
    """JSON has no NaN or infinity: such a cell becomes Excel's #NUM! error."""
    num_error: Any = {"type": "Error", "errorType": "Num"} if float(runtime) >= 1.4 else "#NUM!"
    if not isinstance(result, list):
        return result
    return [
        [num_error if isinstance(v, float) and not math.isfinite(v) else v for v in row]
        if isinstance(row, list) else row
        for row in result
    ]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
            problems.append(f"{loc}: {msg}" if loc else msg)
        return JSONResponse({"error": "request not understood: " + "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": "internal server error — the details are in the server log"}, status_code=500)


def run(settings: ServerSettings, announce: Callable[[str], None] | None = None, log_level: str = "info") -> None:
    """Build the app and serve it with uvicorn until interrupted (Ctrl+C or SIGTERM)."""
    import uvicorn

    app = create_app(settings)
    if announce is not None:
        auth = {"api-key": f"API key ({len(settings.api_keys)})", "bearer": f"bearer token "
                f"({len(settings.bearer_tokens)})", "none": "none (development, loopback only)"}[settings.auth_scheme]
        announce(f"kam_xl server on {settings.local_url} · manifest {settings.base_url}/manifest.xml · "
                 f"{len(app.state.catalogue.functions)} functions, {len(app.state.catalogue.scripts)} macros · "
                 f"auth: {auth} · xlwings licence: {app.state.licence}")
        if not settings.https and settings.public_url is None:
            announce("Plain HTTP: Excel loads add-ins over HTTPS only — give --ssl-certfile/--ssl-keyfile, or "
                     "--public-url of a TLS proxy in front of this server.")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, server_header=False,
                ssl_certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
                ssl_keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None)
