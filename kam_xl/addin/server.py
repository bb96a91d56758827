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
  loopback tests or behind a TLS proxy named by ``public_url``);
* the macros read data books only under ``data_roots``, write and collect plans only under ``output_roots`` and
  use only the databases of ``allow_db_urls`` (:class:`~kam_xl.addin.settings.MacroAccess`); none until
  configured. A refused folder is reported in the controller's status line and error list.

The settings are :class:`~kam_xl.addin.settings.ServerSettings` (pydantic-settings, ``KAM_XL_*``). Every error
comes back as JSON ``{"error": "…"}`` with a message that says what is wrong — never a traceback. A request body
that is not JSON or not of the expected shape gets 422 naming each field at fault (:func:`request_problems`); 500
means a bug of the server, with a generic text (the traceback goes to the log).

xlwings' server part is licensed: :func:`check_licence` stops the start unless ``XLWINGS_LICENSE_KEY`` holds
``noncommercial`` (noncommercial use) or an xlwings PRO key (commercial use). The classic add-in needs no key.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import types
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kam_xl.addin import manifest
from kam_xl.addin.engines import LICENCE_HELP, check_licence, ensure_server_engines
from kam_xl.addin.middleware import (
    OFFICE_ORIGIN_REGEX,
    BodyLimitMiddleware,
    OfficeCORSMiddleware,
    SecurityHeadersMiddleware,
)
from kam_xl.addin.pages import (
    CREDENTIAL_KEY,
    FUNCTIONS_CALL_PATH,
    SCRIPTS_CALL_PATH,
    STATIC_DIR,
    FunctionRegistry,
    functions_code,
    taskpane_html,
)
from kam_xl.addin.protocol import BookPayload, FunctionCall, parse_body, request_problems
from kam_xl.addin.settings import MacroAccess, ServerConfigError, ServerSettings

__all__ = [
    "CREDENTIAL_KEY", "FUNCTIONS_CALL_PATH", "LICENCE_HELP", "OFFICE_ORIGIN_REGEX", "SCRIPTS_CALL_PATH", "STATIC_DIR",
    "FunctionRegistry", "ServerConfigError", "ServerSettings", "check_licence", "create_app", "request_problems",
    "run",
]

log = logging.getLogger("kam_xl.server")


def create_app(settings: ServerSettings, udfs_module: types.ModuleType | None = None) -> FastAPI:
    """The FastAPI app serving ``udfs_module`` (default: the ``udfs`` package with xlwings Server's decorators,
    :func:`kam_xl.addin.runtime.load_udfs`). Raises :class:`ServerConfigError` without a usable licence key."""
    licence = check_licence()
    ensure_server_engines()
    if udfs_module is None:
        from kam_xl.addin.runtime import load_udfs

        udfs_module = load_udfs("server")
    registry = FunctionRegistry(udfs_module)
    app = FastAPI(title="kam_xl", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.registry = registry
    app.state.licence = licence
    _install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(OfficeCORSMiddleware, allow_origins=settings.own_origins,
                       allow_origin_regex=OFFICE_ORIGIN_REGEX, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-API-Key"], max_age=600)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_page_routes(app, registry, settings, licence)
    _add_call_routes(app, registry, settings, udfs_module)
    return app


def _add_page_routes(app: FastAPI, registry: FunctionRegistry, settings: ServerSettings, licence: str) -> None:
    """What Excel loads without credentials: index, health, manifest, task pane, functions' metadata and code."""
    metadata = registry.metadata()
    code = functions_code(registry, settings)
    page = taskpane_html(registry, settings, licence)
    manifest_text = manifest.manifest_xml(settings.base_url, name=settings.addin_name, version=_manifest_version())

    @app.get("/")
    async def index() -> dict[str, Any]:
        return {"name": settings.addin_name, "manifest": settings.base_url + "/manifest.xml",
                "taskpane": settings.base_url + manifest.TASKPANE_PATH,
                "functions": list(registry.functions), "scripts": list(registry.scripts)}

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "functions": len(registry.functions), "scripts": len(registry.scripts),
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
        return JSONResponse(registry.script_meta())


def _add_call_routes(app: FastAPI, registry: FunctionRegistry, settings: ServerSettings,
                     udfs_module: types.ModuleType) -> None:
    """The two calls, behind authentication: a custom function, a macro on the posted workbook."""
    authenticate = _authenticator(settings)
    access = settings.access

    @app.post(FUNCTIONS_CALL_PATH, dependencies=[Depends(authenticate)])
    async def call_function(request: Request) -> JSONResponse:
        call = parse_body(FunctionCall, await request.body())
        func = registry.functions.get(call.func_name)
        if func is None:
            raise HTTPException(404, f"unknown function {call.func_name!r} — allowed: "
                                     f"{', '.join(registry.functions) or 'none installed'}")
        _check_arity(call.func_name, func.__xlfunc__["args"], len(call.args))
        data = {**call.model_dump(exclude={"args"}), "args": call.args}  # the cells as parsed, not copied
        result = await _run(call.func_name, lambda: _custom_function(data, udfs_module))
        return JSONResponse({"result": _finite(result, call.runtime)})

    @app.post(SCRIPTS_CALL_PATH + "{script_name}", dependencies=[Depends(authenticate)])
    async def call_script(script_name: str, request: Request) -> JSONResponse:
        if script_name not in registry.scripts:
            raise HTTPException(404, f"unknown macro {script_name!r} — allowed: "
                                     f"{', '.join(registry.scripts) or 'none installed'}")
        payload = parse_body(BookPayload, await request.body())
        data = payload.model_dump()
        actions = await _run(script_name, lambda: _custom_script(data, udfs_module, script_name, access))
        return JSONResponse(actions)


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


def _custom_script(data: dict[str, Any], module: types.ModuleType, name: str, access: MacroAccess) -> Any:
    """Run macro ``name`` on the posted workbook, the macros restricted to ``access`` (the server's roots and
    database allow-list, :func:`kam_xl.addin.macros.restricted`); the workbook's actions."""
    import xlwings as xw
    import xlwings.server

    from kam_xl.addin.macros import restricted

    book = xw.Book(json=data)
    try:
        with restricted(access):
            asyncio.run(xlwings.server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))
        return book.json()
    finally:
        book.close()


async def _run(name: str, work: Callable[[], Any]) -> Any:
    """Run a function or macro in a worker thread (a long macro must not stall other requests); xlwings'
    own errors (a macro's message for the user) become 400 with that message, anything else is a server bug: 500
    with a generic text, the traceback only in the log."""
    import xlwings

    try:
        return await run_in_threadpool(work)
    except HTTPException:
        raise
    except xlwings.XlwingsError as exc:
        raise HTTPException(400, f"{name}: {exc}") from None
    except Exception:
        log.exception("%s failed", name)
        raise HTTPException(500, f"{name} failed: internal error — the details are in the server log") from None


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
                 f"{len(app.state.registry.functions)} functions, {len(app.state.registry.scripts)} macros · "
                 f"auth: {auth} · xlwings licence: {app.state.licence}")
        for kind, roots, option in (("data book", settings.data_roots, "--data-root"),
                                    ("output", settings.output_roots, "--output-root")):
            announce(f"Macros' {kind} folders: {', '.join(map(str, roots))}" if roots else
                     f"No {option} given: the macros refuse every {kind} folder until the server is started with one.")
        if not settings.https and settings.public_url is None:
            announce("Plain HTTP: Excel loads add-ins over HTTPS only — give --ssl-certfile/--ssl-keyfile, or "
                     "--public-url of a TLS proxy in front of this server.")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, server_header=False,
                ssl_certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
                ssl_keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None)
