"""What the add-in serves besides the calls: the registry of the ``udfs`` functions and macros
(:class:`FunctionRegistry`), the custom functions' JavaScript and the task pane page."""

from __future__ import annotations

import html
import inspect
import json
import types
from pathlib import Path
from typing import Any

from kam_xl.addin import manifest
from kam_xl.addin.settings import ServerConfigError, ServerSettings

#: Where the task pane keeps the credential (``localStorage``), shared with the custom functions' code.
CREDENTIAL_KEY = "kam-xl-credential"
STATIC_DIR = Path(__file__).with_name("static")
FUNCTIONS_CALL_PATH = "/xlwings/custom-functions-call"
SCRIPTS_CALL_PATH = "/xlwings/custom-scripts-call/"


class FunctionRegistry:
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


def functions_code(registry: FunctionRegistry, settings: ServerSettings) -> str:
    """The custom functions' JavaScript: configuration, the client (``static/functions.js``) and one
    ``CustomFunctions.associate`` per function. Names go in as JSON string literals only.

    kam_xl's own client, not ``xlwings.server.custom_functions_code``: that reads ``custom_functions_code.js``,
    which the xlwings 0.37.8 wheel does not contain, and expects globals of xlwings Server's own front end
    (``xlwings.getCultureInfoName``, ``config``). The client here posts the same body
    (see :class:`~kam_xl.addin.protocol.FunctionCall`).
    """
    import xlwings

    config = {
        "callUrl": FUNCTIONS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    lines = [f"globalThis.KAM_XL_CONFIG = {_script_json(config)};", (STATIC_DIR / "functions.js").read_text("utf-8")]
    for name, func in registry.functions.items():
        excel_id = func.__xlfunc__["name"].upper()
        lines.append(f"CustomFunctions.associate({json.dumps(excel_id)}, function () {{ "
                     f"return globalThis.kamXlFunctions.call({json.dumps(name)}, arguments); }});")
    return "\n".join(lines) + "\n"


def _script_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element and in JavaScript source."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def taskpane_html(registry: FunctionRegistry, settings: ServerSettings, licence: str) -> str:
    """The task pane page: one button per macro, the credential field when authentication is on."""
    import xlwings

    config = {
        "scriptUrl": SCRIPTS_CALL_PATH,
        "version": xlwings.__version__,
        "authScheme": settings.auth_scheme,
        "credentialKey": CREDENTIAL_KEY,
    }
    buttons = []
    for meta in registry.script_meta():
        name = meta["function_name"]
        attrs = {
            "data-script": name,
            "data-include": meta.get("include") or "",
            "data-exclude": meta.get("exclude") or "",
            "title": registry.script_doc(name),
        }
        attr_text = " ".join(f'{k}="{html.escape(str(v))}"' for k, v in attrs.items())
        buttons.append(f'    <button type="button" {attr_text}>{html.escape(registry.script_label(name))}</button>')
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
#
# Both calls are parsed by pydantic straight from the body's bytes (``model_validate_json``): a body that is not
# JSON, nested more deeply than pydantic's JSON parser allows, or of the wrong shape is a client mistake and gets
