"""``kam-xl serve`` (xlwings Server, Office.js): the endpoints with the bodies Excel's Office.js client posts.

Function calls are built by :mod:`officejs` as a German Excel sends them (culture ``de-DE``, date format
``TT.MM.JJJJ``, empty cells ``""``, dates as serial numbers, error cells as error objects); macro calls post a
generated controller workbook as the task pane reads it (:mod:`officejs_book`). One test starts the real
server (``python -m kam_xl.cli serve``) with a self-signed certificate on a free loopback port and calls it
over HTTPS, with httpx and with the add-in's own JavaScript client under Node.js.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import textwrap
import types
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import xlwings as xw
from fastapi.testclient import TestClient
from officejs import OMITTED, block, column, function_call, row, scalar
from serving import serving

API_KEY = "kam-test-key-0123456789abcdef"
TOKEN = "kam-test-token-fedcba9876543210"
LIMIT = 256 * 1024
CALL = "/xlwings/custom-functions-call"
MACROS = {"kam_validate", "kam_refresh_plan", "kam_generate_all", "kam_collect"}
OFFICE = "https://excel.officeapps.live.com"
PUBLIC = "https://kam.example.com"


def environ(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str] | None = None) -> None:
    """Exactly these ``KAM_XL_*`` variables in the environment (the settings read it, as the server does)."""
    for name in [n for n in os.environ if n.upper().startswith("KAM_XL_")]:
        monkeypatch.delenv(name)
    for name, value in (variables or {}).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module", autouse=True)
def licence() -> Iterator[None]:
    """xlwings Server's noncommercial licence key, for every test here."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        yield


@pytest.fixture(scope="module")
def server() -> Any:
    """The server module (imported once the licence key is set)."""
    from kam_xl.addin import server

    return server


@pytest.fixture(scope="module")
def settings(server: Any) -> Any:
    """An API key and a bearer token, a small body limit, behind a public HTTPS address."""
    return server.ServerSettings(api_keys=(API_KEY,), bearer_tokens=(TOKEN,), max_body_mb=LIMIT / 1024 / 1024,
                                 public_url=PUBLIC)


@pytest.fixture(scope="module")
def client(server: Any, settings: Any) -> TestClient:
    """A test client of the app serving the ``udfs`` package."""
    return TestClient(server.create_app(settings), raise_server_exceptions=False)


def call(client: TestClient, body: dict[str, Any], key: str | None = API_KEY) -> httpx.Response:
    """POST one custom-function call as the Office.js client does (the API key in ``X-API-Key``)."""
    return client.post(CALL, json=body, headers={"X-API-Key": key} if key else {})


def result(client: TestClient, func: str, *args: Any, **kwargs: Any) -> list[list[Any]]:
    """The 2-D result Excel receives for one formula."""
    response = call(client, function_call(func, *args, **kwargs))
    assert response.status_code == 200, response.text
    return response.json()["result"]


KGB = (column(["Preis", "Service", "Qualität"]), column([40, 35, 25]), row(["Wir", "Die"]),
       block([[80, 60], [70, 90], [100, 75]]))


# ---------------------------------------------------------------------------------------------------------------
# Functions


def test_kgb_card_from_a_german_excel(client: TestClient) -> None:
    # weights 40/35/25 points; own (Wir) vs best competitor (Die):
    # Preis 0.40 × (80 − 60) = 8, potential 0.40 × 20 = 8; Service 0.35 × (70 − 90) = −7, 0.35 × 30 = 10.5;
    # Qualität 0.25 × (100 − 75) = 6.25, 0.25 × 0 = 0
    got = result(client, "kam_kgb_card", *KGB, OMITTED)
    expected = [[0.40, 80, 60, 8, 8], [0.35, 70, 90, -7, 10.5], [0.25, 100, 75, 6.25, 0]]
    assert got == [pytest.approx(r) for r in expected]


def test_kgb_card_own_supplier_from_a_cell(client: TestClient) -> None:
    # Die is ours: Preis 0.40 × (60 − 80) = −8, potential 0.40 × 40 = 16; an empty cell means the first supplier
    assert result(client, "kam_kgb_card", *KGB, scalar("Die"))[0] == pytest.approx([0.40, 60, 80, -8, 16])
    assert result(client, "kam_kgb_card", *KGB, scalar(None))[0] == pytest.approx([0.40, 80, 60, 8, 8])


@pytest.mark.parametrize("empty", ["", None], ids=["empty-string", "null"])
def test_empty_rating_cells_give_empty_result_cells(client: TestClient, empty: Any) -> None:
    # Office.js passes an empty cell as "" (some versions null); an empty result cell goes back as ""
    ratings = [[80, empty], [empty, 90]]
    got = result(client, "kam_kgb_card", column(["Preis", "Service"]), column([40, 60]), row(["Wir", "Die"]),
                 ratings, OMITTED)
    assert got == [[0.4, 80, "", "", 8], [0.6, "", 90, "", ""]]


def test_kam_raci_check_is_served_with_the_sheets_words(client: TestClient) -> None:
    got = result(client, "kam_raci_check", column(["Rahmenvertrag", "Messe"]), row(["GKAM", "NKAM"]),
                 block([["R", "A"], ["C", None]]), OMITTED)
    assert got == [["ok"], ["kein A, kein R"]]


def test_weights_summing_to_90_give_the_kam_text(client: TestClient) -> None:
    got = result(client, "kam_kgb_card", column(["Preis", "Service"]), column([40, 50]), row(["Wir", "Die"]),
                 block([[80, 60], [70, 90]]), OMITTED)
    assert got == [["#KAM! Kgb weights sum to 90 — allowed: fractions summing to 1 or points summing to 100"]]


def test_a_date_typed_into_a_rating_arrives_as_its_serial_number(client: TestClient) -> None:
    # "1.1." typed into a German Excel becomes the date 01.01.2026; custom functions get its serial number 46023
    got = result(client, "kam_kgb_card", column(["Preis", "Service"]), column([40, 60]), row(["Wir", "Die"]),
                 block([[80, 60], [70, dt.date(2026, 1, 1)]]), OMITTED)
    assert got == [["#KAM! rating 46023 of 'Die' for 'Service' — allowed: 0 to 100"]]


def test_german_number_text_and_error_cells(client: TestClient) -> None:
    got = result(client, "kam_kgb_card", column(["Preis", "Service"]), column(["1.234,5", 60]), row(["Wir", "Die"]),
                 block([[80, 60], [70, 90]]), OMITTED)
    assert got == [["#KAM! weights: cell 1: holds text '1.234,5' — allowed: a number"]]
    got = result(client, "kam_kgb_card", column(["Preis", "Service"]), column([40, 60]), row(["Wir", "Die"]),
                 block([[80, 60], [70, "#DIV/0!"]]), OMITTED)
    assert got == [["#KAM! ratings (Service, Die): holds #DIV/0! — allowed: a number"]]


@pytest.mark.parametrize(("value", "band"), [(0.12, "high"), (0.05, "mid"), (-0.05, "loss"), (None, "")])
def test_portfolio_band(client: TestClient, value: float | None, band: str) -> None:
    assert result(client, "kam_portfolio_band", scalar(value)) == [[band]]


def test_portfolio_band_of_a_percent_text(client: TestClient) -> None:
    assert result(client, "kam_portfolio_band", scalar("12 %")) == [
        ["#KAM! cdb_iii_rel: holds text '12 %' — allowed: a number"]]


def test_cdb_iii_with_empty_cost_cells(client: TestClient) -> None:
    # net sales 1000 − 100 = 900; CDB III = 900 − 400 − 50 − 20 − 30 − 40 − 60 = 300; empty costs count 0
    assert result(client, "kam_cdb_iii", row([1000, 100, 400, 50, 20, 30, 40, 60]), OMITTED) == [[300]]
    assert result(client, "kam_cdb_iii", row([1000, 100, 400, None, None, None, None, None]), OMITTED) == [[500]]


def test_kaop_split_laid_out_like_the_weights(client: TestClient) -> None:
    # 1000 by seasonality 20/30/30/20: 200, 300, 300, 200 — a row of weights gives a row, a column a column
    assert result(client, "kam_kaop_split", scalar(1000), row([20, 30, 30, 20]), OMITTED) == [[200, 300, 300, 200]]
    assert result(client, "kam_kaop_split", scalar(1000), column([20, 30, 30, 20]), OMITTED) == [
        [200], [300], [300], [200]]


def test_older_runtime_and_english_excel_get_the_same_numbers(client: TestClient) -> None:
    got = result(client, "kam_kgb_card", *KGB, OMITTED, culture="en-US", date_format="M/d/yyyy", runtime="1.1")
    assert got[1] == pytest.approx([0.35, 70, 90, -7, 10.5])


def test_unknown_function_and_bad_bodies_are_json_errors(client: TestClient) -> None:
    r = call(client, function_call("__class__"))
    assert r.status_code == 404
    assert r.json()["error"].startswith("unknown function '__class__' — allowed: ")
    assert "kam_kgb_card" in r.json()["error"]
    r = call(client, function_call("kam_kgb_card", *KGB, OMITTED, scalar(1)))
    assert r.status_code == 422
    assert r.json() == {"error": "kam_kgb_card takes 4 to 5 arguments (criteria, weights, suppliers, ratings, "
                                 "own_supplier (optional)) — 6 were sent"}
    r = call(client, {"args": []})
    assert (r.status_code, r.json()) == (422, {"error": "request not understood: func_name: Field required"})
    r = call(client, {**function_call("kam_portfolio_band", scalar(0.1)), "runtime": "neu"})
    assert r.status_code == 422
    assert "runtime" in r.json()["error"]
    r = client.post(CALL, content=b"{not json", headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"].startswith("request not understood: ")
    r = client.get("/no/such/page")
    assert (r.status_code, r.json()) == (404, {"error": "Not Found"})


def test_every_function_is_served(client: TestClient) -> None:
    from kam_xl.addin.runtime import load_udfs

    udfs = load_udfs("server")
    names = sorted(n for n in udfs.__all__ if hasattr(getattr(udfs, n), "__xlfunc__"))
    assert {"kam_kgb_card", "kam_portfolio_band"} <= set(names)
    meta = client.get("/xlwings/custom-functions-meta").json()
    assert sorted(f["id"] for f in meta["functions"]) == [n.upper() for n in names]
    card = next(f for f in meta["functions"] if f["id"] == "KAM_KGB_CARD")
    assert [p["name"] for p in card["parameters"]] == ["criteria", "weights", "suppliers", "ratings", "own_supplier"]
    assert [p.get("optional", False) for p in card["parameters"]] == [False, False, False, False, True]
    assert all(p["dimensionality"] == "matrix" for p in card["parameters"])
    assert card["description"].startswith("The whole Kgb card analysis, one row per criterion: weight as")
    assert all("\n" not in f["description"] and "  " not in f["description"] for f in meta["functions"])
    assert meta["allowErrorForDataTypeAny"] is True
    code = client.get("/xlwings/custom-functions-code")
    assert code.headers["content-type"].startswith("text/javascript")
    for n in names:
        assert (f'CustomFunctions.associate("{n.upper()}", function () {{ return globalThis.kamXlFunctions.call('
                f'"{n}", arguments); }});') in code.text
    assert '"callUrl": "/xlwings/custom-functions-call"' in code.text
    assert '"authScheme": "api-key"' in code.text


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_functions_code_is_valid_javascript(client: TestClient, tmp_path: Path) -> None:
    script = tmp_path / "functions.js"
    script.write_text(client.get("/xlwings/custom-functions-code").text, encoding="utf-8")
    checked = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_a_bug_in_a_function_is_a_short_json_error(server: Any, settings: Any,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    import xlwings.server

    module = types.ModuleType("buggy_udfs")

    @xlwings.server.func
    def broken(x: Any) -> Any:
        """Divides by zero."""
        return 1 / 0

    @xlwings.server.func
    def overflow(x: Any) -> Any:
        """Infinity and NaN, which JSON cannot carry."""
        return [[float("inf"), float("nan"), 1.5]]

    module.broken, module.overflow = broken, overflow
    with TestClient(server.create_app(settings, module), raise_server_exceptions=False) as c:
        r = call(c, function_call("broken", scalar(1)))
        assert r.status_code == 500
        assert r.json() == {"error": "broken failed: internal error — the details are in the server log"}
        assert "Traceback" not in r.text and "ZeroDivisionError" not in r.text
        assert "broken failed" in caplog.text and "ZeroDivisionError: division by zero" in caplog.text  # the log
        num = {"type": "Error", "errorType": "Num"}  # Excel's #NUM! (runtime 1.4), the text "#NUM!" before
        assert result(c, "overflow", scalar(1)) == [[num, num, 1.5]]
        assert result(c, "overflow", scalar(1), runtime="1.2") == [["#NUM!", "#NUM!", 1.5]]


# ---------------------------------------------------------------------------------------------------------------
# Security: authentication, body size, CORS


def test_calls_need_a_valid_api_key_or_bearer_token(client: TestClient) -> None:
    body = function_call("kam_portfolio_band", scalar(0.12))
    r = call(client, body, key=None)
    assert r.status_code == 401
    assert r.json() == {"error": "no credential sent — send the header X-API-Key: <key> or Authorization: "
                                 "Bearer <token>"}
    assert r.headers["www-authenticate"] == "Bearer"
    r = call(client, body, key=API_KEY[:-1] + "X")
    assert r.status_code == 401
    assert r.json()["error"].startswith("the credential sent is not valid")
    assert call(client, body, key=TOKEN).status_code == 401  # a token is not an API key
    for header in (f"Bearer {API_KEY}", f"Basic {TOKEN}", TOKEN, f"{API_KEY} x"):
        assert client.post(CALL, json=body, headers={"Authorization": header}).status_code == 401
    r = client.post(CALL, json=body, headers={"Authorization": API_KEY})  # xlwings' AUTH: the key as it is
    assert (r.status_code, r.json()) == (200, {"result": [["high"]]})
    r = client.post(CALL, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert (r.status_code, r.json()) == (200, {"result": [["high"]]})
    assert call(client, body).json() == {"result": [["high"]]}
    assert client.post("/xlwings/custom-scripts-call/kam_validate", json={}).status_code == 401


def test_what_excel_loads_itself_needs_no_credential(client: TestClient) -> None:
    for path in ("/manifest.xml", "/taskpane", "/xlwings/custom-functions-meta", "/xlwings/custom-functions-code",
                 "/xlwings/custom-scripts-meta", "/static/taskpane.js", "/static/icon-32.png", "/health", "/"):
        assert client.get(path).status_code == 200, path


def test_no_auth_only_when_asked_for_on_loopback(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    environ(monkeypatch)
    with pytest.raises(server.ServerConfigError, match="no API key or bearer token is configured"):
        server.ServerSettings.from_env()
    with pytest.raises(server.ServerConfigError, match=r"--no-auth is only allowed on a loopback host .*'10\.0\.0\.5'"):
        server.ServerSettings.from_env(host="10.0.0.5", no_auth=True)
    environ(monkeypatch, {"KAM_XL_NO_AUTH": "1"})
    open_settings = server.ServerSettings.from_env()
    assert (open_settings.host, open_settings.auth_scheme) == ("127.0.0.1", "none")
    with TestClient(server.create_app(open_settings)) as c:
        r = c.post(CALL, json=function_call("kam_portfolio_band", scalar(-0.2)))
        assert r.json() == {"result": [["loss"]]}
        assert 'id="kam-credential"' not in c.get("/taskpane").text


def test_oversized_bodies_are_refused_with_413(client: TestClient) -> None:
    ratings = block([[50] * 40 for _ in range(2000)])  # ~ 320 KB of JSON > 256 KB
    body = function_call("kam_kgb_card", column(["x"] * 2000), column([1] * 2000), row(["s"] * 40), ratings, OMITTED)
    r = call(client, body)
    assert r.status_code == 413
    assert r.json() == {"error": "request body too large — allowed: at most 256 KB"}
    data = json.dumps(body).encode()
    chunked = client.post(CALL, content=iter([data[i:i + 8192] for i in range(0, len(data), 8192)]),
                          headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    assert "content-length" not in chunked.request.headers  # sent chunked: refused while reading
    assert (chunked.status_code, chunked.json()) == (413, r.json())
    assert call(client, function_call("kam_portfolio_band", scalar(0.2))).status_code == 200


def test_cors_allows_office_hosts_and_the_server_itself(client: TestClient) -> None:
    def preflight(origin: str) -> httpx.Response:
        return client.options(CALL, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type,x-api-key"})

    for origin in (OFFICE, "https://usc-excel.officeapps.live.com", "https://contoso.sharepoint.com", PUBLIC):
        r = preflight(origin)
        assert r.status_code == 200, origin
        assert r.headers["access-control-allow-origin"] == origin
        assert "x-api-key" in r.headers["access-control-allow-headers"].lower()
    for origin in ("https://evil.example.com", "https://officeapps.live.com.evil.com", "http://excel.office.com"):
        r = preflight(origin)
        assert r.status_code == 400, origin
        assert "access-control-allow-origin" not in r.headers
        assert r.json()["error"].startswith(f"CORS preflight refused for origin {origin!r}")
    r = client.post(CALL, json=function_call("kam_portfolio_band", scalar(0.2)),
                    headers={"X-API-Key": API_KEY, "Origin": OFFICE})
    assert r.headers["access-control-allow-origin"] == OFFICE
    r = client.post(CALL, json=function_call("kam_portfolio_band", scalar(0.2)),
                    headers={"X-API-Key": API_KEY, "Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers


def test_security_headers(client: TestClient) -> None:
    r = call(client, function_call("kam_portfolio_band", scalar(0.2)))
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "cache-control" not in client.get("/manifest.xml").headers


# ---------------------------------------------------------------------------------------------------------------
# Settings and licence


def test_settings_from_environment_and_options(server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"KAM_XL_API_KEYS": f"{API_KEY}, {TOKEN}", "KAM_XL_PORT": "8443", "KAM_XL_MAX_BODY_MB": "2"}
    environ(monkeypatch, env)
    s = server.ServerSettings.from_env()
    assert [k.get_secret_value() for k in s.api_keys] == [API_KEY, TOKEN]
    assert (s.port, s.max_body_bytes, s.base_url) == (8443, 2 * 1024 * 1024, "http://127.0.0.1:8443")
    assert API_KEY not in repr(s)  # secrets never printed
    environ(monkeypatch, {"KAM_XL_API_KEY": API_KEY, "KAM_XL_BEARER_TOKEN": TOKEN})
    s = server.ServerSettings.from_env()
    assert ([k.get_secret_value() for k in s.api_keys], [t.get_secret_value() for t in s.bearer_tokens]) == (
        [API_KEY], [TOKEN])
    environ(monkeypatch, env)
    s = server.ServerSettings.from_env(port=9000, api_keys=[TOKEN], public_url="https://kam.example.com/")
    assert (s.port, [k.get_secret_value() for k in s.api_keys], s.base_url) == (
        9000, [TOKEN], "https://kam.example.com")
    problems = {
        "--port (KAM_XL_PORT): value 'acht' — allowed: a whole number": ({**env, "KAM_XL_PORT": "acht"}, {}),
        "--port (KAM_XL_PORT): value 70000 — allowed: at most 65535": (env, {"port": 70000}),
        "secret 1 has 5 characters": ({}, {"api_keys": ["kurz1"]}),
        "HTTPS needs both --ssl-certfile and --ssl-keyfile": (env, {"ssl_certfile": tmp_path}),
        "the TLS certificate file": (env, {"ssl_certfile": tmp_path / "no.pem", "ssl_keyfile": tmp_path / "no.key"}),
        "listens on every interface: give --public-url": (env, {"host": "0.0.0.0"}),
        "allowed: scheme://host[:port] without a path": (env, {"public_url": "https://kam.example.com/excel"}),
        "--no-auth and API keys or bearer tokens were both given": (env, {"no_auth": True}),
        "--max-body-mb (KAM_XL_MAX_BODY_MB): value '0' — allowed: at least 0.001": (
            {**env, "KAM_XL_MAX_BODY_MB": "0"}, {}),
    }
    for message, (variables, options) in problems.items():
        environ(monkeypatch, variables)
        with pytest.raises(server.ServerConfigError, match=re.escape(message)):
            server.ServerSettings.from_env(**options)


def test_missing_licence_key_stops_the_start(server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLWINGS_LICENSE_KEY")
    with pytest.raises(server.ServerConfigError) as info:
        server.create_app(settings)
    message = str(info.value)
    assert message.startswith("XLWINGS_LICENSE_KEY is not set.")
    assert "XLWINGS_LICENSE_KEY=noncommercial for noncommercial use" in message
    assert "xlwings PRO key for commercial use" in message


def test_serve_command_without_licence_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from kam_xl.cli import app

    monkeypatch.delenv("XLWINGS_LICENSE_KEY")
    monkeypatch.setenv("KAM_XL_API_KEYS", API_KEY)
    r = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert r.exit_code == 2
    assert "XLWINGS_LICENSE_KEY is not set" in r.output
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.delenv("KAM_XL_API_KEYS")
    r = CliRunner().invoke(app, ["serve", "--host", "10.0.0.5", "--no-auth"])
    assert r.exit_code == 2
    assert "--no-auth is only allowed on a loopback host (127.0.0.1, ::1, localhost), not on '10.0.0.5'" in r.output


# ---------------------------------------------------------------------------------------------------------------
# Manifest and task pane

_NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
       "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
       "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides"}


def test_manifest_is_well_formed_with_the_server_urls(client: TestClient) -> None:
    r = client.get("/manifest.xml")
    assert r.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(r.content)
    assert root.tag == f"{{{_NS['o']}}}OfficeApp"
    assert str(uuid.UUID(root.findtext("o:Id", namespaces=_NS))) == root.findtext("o:Id", namespaces=_NS)
    from importlib.metadata import version

    assert root.findtext("o:Version", namespaces=_NS) == version("kam-xl") + ".0"  # 0.1.0 → 0.1.0.0
    assert root.find("o:DefaultSettings/o:SourceLocation", _NS).get("DefaultValue") == f"{PUBLIC}/taskpane"
    assert root.findtext("o:AppDomains/o:AppDomain", namespaces=_NS) == PUBLIC
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iter(f"{{{_NS['bt']}}}Url")}
    assert urls == {"Taskpane.Url": f"{PUBLIC}/taskpane",
                    "Functions.Script.Url": f"{PUBLIC}/xlwings/custom-functions-code",
                    "Functions.Metadata.Url": f"{PUBLIC}/xlwings/custom-functions-meta"}
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{{{_NS['bt']}}}String")}
    assert strings["Functions.Namespace"] == "KAM"
    assert root.find(".//ov:Set", _NS) is None and root.find(".//o:Set", _NS).get("Name") == "SharedRuntime"
    images = [i.get("DefaultValue") for i in root.iter(f"{{{_NS['bt']}}}Image") if i.get("DefaultValue")]
    images += [root.find(f"o:{tag}", _NS).get("DefaultValue") for tag in ("IconUrl", "HighResolutionIconUrl")]
    every_url = [*urls.values(), *images]
    assert all(u.startswith(PUBLIC + "/") for u in every_url)
    for u in images:  # each icon is there, as a PNG
        icon = client.get(u.removeprefix(PUBLIC))
        assert (icon.status_code, icon.content[:8]) == (200, b"\x89PNG\r\n\x1a\n")


def test_manifest_follows_host_port_and_https(server: Any, tmp_path: Path) -> None:
    from kam_xl.addin.manifest import addin_id, manifest_xml

    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    s = server.ServerSettings(api_keys=(API_KEY,), port=8443, ssl_certfile=cert, ssl_keyfile=key)
    assert s.base_url == "https://127.0.0.1:8443"
    xml = manifest_xml(s.base_url)
    assert 'DefaultValue="https://127.0.0.1:8443/xlwings/custom-functions-meta"' in xml
    assert addin_id("https://127.0.0.1:8443") == addin_id("https://127.0.0.1:8443/") != addin_id(PUBLIC)
    assert "&lt;Team &amp; Co&gt;" in manifest_xml(PUBLIC, name="<Team & Co>")  # escaped, still well-formed
    ElementTree.fromstring(manifest_xml(PUBLIC, name='<Team & "Co">').encode())


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[dict[str, str | None]] = []
        self.scripts: list[str | None] = []
        self._in_config = False
        self._in_button = False
        self.config = ""
        self.labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "button" and "data-script" in a:
            self.buttons.append(a)
            self._in_button = True
            self.labels.append("")
        if tag == "script":
            self.scripts.append(a.get("src"))
            self._in_config = a.get("id") == "kam-xl-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config += data
        if self._in_button:
            self.labels[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._in_config = self._in_button = False


def test_taskpane_lists_every_macro(client: TestClient) -> None:
    page = _Page()
    page.feed(client.get("/taskpane").text)
    scripts = [m["function_name"] for m in client.get("/xlwings/custom-scripts-meta").json()]
    assert set(scripts) == MACROS
    assert [b["data-script"] for b in page.buttons] == scripts
    assert page.labels == [{"kam_validate": "Validate", "kam_refresh_plan": "Refresh plan",
                            "kam_generate_all": "Generate all", "kam_collect": "Collect"}[s] for s in scripts]
    validate = next(b for b in page.buttons if b["data-script"] == "kam_validate")
    assert validate["title"].startswith("Validate this controller workbook")
    assert page.scripts == ["https://appsforoffice.microsoft.com/lib/1/hosted/office.js", None,
                            "/static/taskpane.js", "/xlwings/custom-functions-code"]
    config = json.loads(page.config)
    assert config == {"scriptUrl": "/xlwings/custom-scripts-call/", "version": config["version"],
                      "authScheme": "api-key", "credentialKey": "kam-xl-credential"}


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_taskpane_script_is_valid_javascript() -> None:
    from kam_xl.addin.server import STATIC_DIR

    checked = subprocess.run(["node", "--check", str(STATIC_DIR / "taskpane.js")], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0, checked.stderr


# ---------------------------------------------------------------------------------------------------------------
# Macros (xlwings scripts)


def _tiny_book(value: Any) -> dict[str, Any]:
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": "Mappe1.xlsx", "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": [{"name": "Tabelle1", "values": [[value, ""]], "pictures": [], "tables": []}]}


def test_any_script_runs_on_the_posted_workbook(server: Any, settings: Any) -> None:
    import xlwings.server

    module = types.ModuleType("scripts_udfs")

    @xlwings.server.script
    def double(book: xw.Book | None = None) -> None:
        """Write twice A1 into B1."""
        assert book is not None
        sheet = book.sheets[0]
        if isinstance(sheet["A1"].value, bool) or not isinstance(sheet["A1"].value, int | float):
            raise xw.XlwingsError(f"A1 holds {sheet['A1'].value!r} — allowed: a number")
        sheet["B1"].value = sheet["A1"].value * 2

    module.double = double
    with TestClient(server.create_app(settings, module), raise_server_exceptions=False) as c:
        headers = {"X-API-Key": API_KEY}
        r = c.post("/xlwings/custom-scripts-call/double", json=_tiny_book(21), headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["actions"] == [{"func": "setValues", "args": [None], "values": [[42]], "sheet_position": 0,
                                        "start_row": 0, "start_column": 1, "row_count": 1, "column_count": 1}]
        r = c.post("/xlwings/custom-scripts-call/double", json=_tiny_book("zwei"), headers=headers)
        assert (r.status_code, r.json()) == (400, {"error": "double: A1 holds 'zwei' — allowed: a number"})
        r = c.post("/xlwings/custom-scripts-call/kam_validate", json=_tiny_book(1), headers=headers)
        assert (r.status_code, r.json()) == (404, {"error": "unknown macro 'kam_validate' — allowed: double"})
        r = c.post("/xlwings/custom-scripts-call/double", json={"book": {"name": "x"}}, headers=headers)
        assert r.status_code == 422
        assert r.json()["error"] == ("request not understood: book.active_sheet_index: Field required; "
                                     "sheets: Field required")
        bad = _tiny_book(1)
        bad["book"]["active_sheet_index"] = 3
        r = c.post("/xlwings/custom-scripts-call/double", json=bad, headers=headers)
        assert r.json() == {"error": "request not understood: book.active_sheet_index 3 — allowed: 0 to 0 "
                                     "(one per sheet)"}


def test_kam_validate_through_the_endpoint(server: Any, books: Any, tmp_path: Path) -> None:
    from officejs_book import officejs_book

    from kam_xl.batch import write_controller
    from kam_xl.databook import demo_databook
    from kam_xl.workbook.controller import ControllerSettings

    five = books.write_xlsx(tmp_path / "five.xlsx", books.five_mistakes)
    db = demo_databook()
    controller = write_controller(db, tmp_path / "Controller.xlsx", "en", settings=ControllerSettings(
        databook=str(five), output=str(tmp_path / "out"), lang="en", account=db.accounts[0].account_id))
    rooted = server.ServerSettings(bearer_tokens=(TOKEN,), data_roots=(tmp_path,), output_roots=(tmp_path,))
    with TestClient(server.create_app(rooted)) as client:
        r = client.post("/xlwings/custom-scripts-call/kam_validate", json=officejs_book(controller),
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    written = [a for a in r.json()["actions"] if a["func"] == "setValues"]
    status, errors = written[0]["values"], written[1]["values"]
    assert status[0][0].startswith("Validate ") and status[0][0].endswith(": 5 problem(s) – see the error list.")
    assert sorted((e[1], e[2]) for e in errors) == [("cdb", "A4"), ("cdb", "C3"), ("excellence", "D3"),
                                                     ("kaop_costs", "F3"), ("kgb", "D2")]
    assert all(e[0] == "five.xlsx" for e in errors)
    assert any("Kgb weights sum to 90" in e[3] for e in errors)


# The task pane's own client (static/taskpane.js) under Node.js with a stub of Excel's object model: it reads a
# workbook as the server expects (read), and writes a macro's actions back (write, recording what it sets).
_TASKPANE_HARNESS = textwrap.dedent("""
    const fs = require("fs");
    const config = { scriptUrl: "/xlwings/custom-scripts-call/", version: process.env.KAM_VERSION,
                     authScheme: "api-key", credentialKey: "kam-xl-credential" };
    globalThis.document = {
      readyState: "complete",
      getElementById: (id) => (id === "kam-xl-config" ? { textContent: JSON.stringify(config) } : null),
      querySelectorAll: () => [],
      addEventListener: () => {},
    };
    globalThis.localStorage = { getItem: () => null };
    globalThis.Office = {
      onReady(callback) { if (callback) callback({}); return Promise.resolve({}); },
      context: { requirements: { isSetSupported: () => true } },
    };
    globalThis.Excel = { ClearApplyTo: { contents: "Contents", formats: "Formats" } };
    const loadable = (obj) => Object.assign(obj, { load() { return obj; } });
    const at = (address, position) => loadable({ address, worksheet: loadable({ position }) });
    const settings = loadable({
      name: "Einstellungen", position: 0,
      getUsedRange: () => ({ getLastCell: () => at("Einstellungen!B2", 0) }),
      getRange: () => loadable({ values: [["Konto", "A-1"], ["Stichtag", 46112]],
                                 numberFormatCategories: [["General", "Text"], ["General", "Date"]] }),
      names: loadable({ items: [] }),
      tables: loadable({ items: [loadable({
        name: "Tabelle1", showHeaders: true, showTotals: false, style: "TableStyleMedium2", showFilterButton: true,
        getRange: () => at("Einstellungen!A1:B2", 0), getDataBodyRange: () => at("Einstellungen!A2:B2", 0),
        getHeaderRowRange: () => at("Einstellungen!A1:B1", 0) })] }),
    });
    const empty = loadable({
      name: "Leer", position: 1,
      getUsedRange: () => ({ getLastCell: () => at("Leer!A1", 1) }),
      getRange: () => loadable({ values: [[""]], numberFormatCategories: [["General"]] }),
      names: loadable({ items: [] }),
      tables: loadable({ items: [] }),
    });
    const written = [];
    const sheets = [settings, empty].map((sheet) => Object.assign(sheet, {
      getRangeByIndexes: (row, column, rows, columns) => {
        const range = { sheet: sheet.name, at: [row, column, rows, columns],
                        clear(what) { this.cleared = what || "All"; } };
        written.push(range);
        return range;
      },
    }));
    const context = {
      async sync() {},
      workbook: loadable({
        name: "Controller.xlsx",
        worksheets: loadable({ items: sheets, getActiveWorksheet: () => loadable({ position: 0 }) }),
        getSelectedRange: () => loadable({ address: "Einstellungen!B1" }),
        names: loadable({ items: [{ name: "ctl_account", type: "Range", getRange: () => at("Einstellungen!B1", 0) },
                                  { name: "ctl_rate", type: "Double", getRange: () => null }] }),
      }),
    };
    eval(fs.readFileSync(process.env.KAM_TASKPANE, "utf-8"));
    (async () => {
      const pane = globalThis.kamXlTaskpane;
      if (process.env.KAM_ACTIONS) {
        try {
          const count = await pane.runActions(context, JSON.parse(process.env.KAM_ACTIONS));
          console.log(JSON.stringify({ count, written }));
        } catch (error) {
          console.log(JSON.stringify({ error: error.message, written }));
        }
      } else {
        console.log(JSON.stringify(await pane.getBookData(context, [], [])));
      }
    })().catch((error) => { console.error(error); process.exit(1); });
""")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_taskpane_client_round_trip(server: Any, settings: Any) -> None:
    import xlwings.server

    env = {**os.environ, "KAM_VERSION": xw.__version__, "KAM_TASKPANE": str(server.STATIC_DIR / "taskpane.js")}

    def node(**extra: str) -> Any:
        done = subprocess.run(["node", "-e", _TASKPANE_HARNESS], capture_output=True, text=True, timeout=120,
                              env={**env, **extra})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    payload = node()
    assert payload["book"] == {"name": "Controller.xlsx", "active_sheet_index": 0, "selection": "B1"}
    assert payload["names"] == [{"name": "ctl_account", "sheet_index": 0, "address": "B1", "scope_sheet_name": None,
                                 "scope_sheet_index": None, "book_scope": True}]  # constants are left out
    assert payload["sheets"][0]["values"] == [["Konto", "A-1"], ["Stichtag", "2026-03-31T00:00:00.000Z"]]
    assert payload["sheets"][0]["tables"][0]["data_body_range_address"] == "A2:B2"
    assert payload["sheets"][1] == {"name": "Leer", "values": [[""]], "pictures": [], "tables": []}

    module = types.ModuleType("echo_udfs")

    @xlwings.server.script
    def echo(book: xw.Book | None = None) -> None:
        """Write the account and the day after the key date, as a macro writes its status."""
        assert book is not None
        account = book.names["ctl_account"].refers_to_range.value
        day = book.sheets["Einstellungen"]["B2"].value
        book.sheets["Einstellungen"]["C1"].value = [[f"=Konto {account}", day + dt.timedelta(days=1), 5, None,
                                                    "+49 171 5550100"]]
        book.sheets["Leer"]["A1:B2"].clear_contents()

    module.echo = echo
    with TestClient(server.create_app(settings, module)) as c:
        r = c.post("/xlwings/custom-scripts-call/echo", json=payload, headers={"X-API-Key": API_KEY})
    assert r.status_code == 200, r.text
    done = node(KAM_ACTIONS=r.text)
    assert done["count"] == 2
    cells, cleared = done["written"]
    assert (cells["sheet"], cells["at"]) == ("Einstellungen", [0, 2, 1, 5])  # C1:G1
    # text that starts like a formula stays text (Excel's ' prefix); the date goes in as its serial number, dated
    assert cells["values"] == [["'=Konto A-1", 46113, 5, "", "'+49 171 5550100"]]
    assert cells["numberFormat"] == [[None, "yyyy-mm-dd", None, None, None]]
    assert (cleared["sheet"], cleared["at"], cleared["cleared"]) == ("Leer", [0, 0, 2, 2], "Contents")
    unknown = node(KAM_ACTIONS=json.dumps({"actions": [*r.json()["actions"], {"func": "addChart", "args": []}]}))
    assert unknown == {"error": "the macro asks for addChart, which this task pane cannot do", "written": []}


# ---------------------------------------------------------------------------------------------------------------
# The real server


# The add-in's own custom-function client (served at /xlwings/custom-functions-code) under Node.js, with
# Office.js stubbed as a German Excel 365: each function is called as Excel would call it, the last argument
# being the invocation (the calling cell).
_NODE_HARNESS = textwrap.dedent("""
    const base = process.env.KAM_BASE;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (url, options) => realFetch(new URL(url, base), options);
    const store = { "kam-xl-credential": process.env.KAM_CREDENTIAL };
    globalThis.localStorage = { getItem: (k) => store[k] ?? null };
    const sets = { CustomFunctionsRuntime: "1.4", ExcelApi: "1.12" };
    globalThis.Office = {
      onReady(callback) { if (callback) callback({ host: "Excel" }); return Promise.resolve({ host: "Excel" }); },
      context: { requirements: { isSetSupported: (set, version) => set in sets && version <= sets[set] } },
    };
    class RequestContext {
      constructor() {
        this.workbook = { name: "Kgb.xlsx", load() {} };
        const datetimeFormat = { shortDatePattern: "TT.MM.JJJJ", load() {} };
        this.application = { cultureInfo: { name: "de-DE", datetimeFormat, load() {} } };
      }
      async sync() {}
    }
    globalThis.Excel = { RequestContext };
    const functions = {};
    class FunctionError extends Error {
      constructor(code, message) { super(message); this.code = code; }
    }
    globalThis.CustomFunctions = {
      associate: (id, f) => { functions[id] = f; },
      Error: FunctionError,
      ErrorCode: { invalidValue: "#VALUE!" },
    };
    (async () => {
      const code = await (await realFetch(base + "/xlwings/custom-functions-code")).text();
      (0, eval)(code);
      const out = {};
      const cell = { address: "Karte!H3" };
      out.card = await functions.KAM_KGB_CARD([["Preis"], ["Service"]], [[40], [60]], [["Wir", "Die"]],
                                              [[80, 60], [70, 90]], undefined, cell);
      out.wrong = await functions.KAM_KGB_CARD([["Preis"], ["Service"]], [[40], [50]], [["Wir", "Die"]],
                                               [[80, 60], [70, 90]], null, cell);
      out.band = await functions.KAM_PORTFOLIO_BAND([[""]], cell);
      store["kam-xl-credential"] = "not-the-right-key-000";
      try {
        await functions.KAM_PORTFOLIO_BAND([[0.2]], cell);
        out.denied = "no error";
      } catch (error) {
        out.denied = [error.constructor.name, error.code, error.message];
      }
      out.associated = Object.keys(functions).sort();
      console.log(JSON.stringify(out));
    })().catch((error) => { console.error(error); process.exit(1); });
""")


def test_real_server_over_https(tmp_path: Path) -> None:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "KAM_XL_API_KEYS": API_KEY}
    data_root, output_root = tmp_path / "daten", tmp_path / "plaene"
    data_root.mkdir()
    output_root.mkdir()
    with serving(tmp_path, ["--data-root", str(data_root), "--output-root", str(output_root)], env) as served, \
            served.client() as http:
        base, cert = served.base, served.cert
        r = http.post(CALL, json=function_call("kam_kgb_card", *KGB, OMITTED), headers={"X-API-Key": API_KEY})
        assert r.status_code == 200, r.text
        assert r.json()["result"][1] == pytest.approx([0.35, 70, 90, -7, 10.5])
        assert r.headers["strict-transport-security"] == "max-age=31536000"
        assert "server" not in r.headers  # uvicorn does not name itself
        r = http.post(CALL, json=function_call("kam_kgb_card", *KGB, OMITTED))
        assert (r.status_code, r.json()["error"]) == (401, "no credential sent — send the header X-API-Key: <key>")
        assert f'DefaultValue="{base}/taskpane"' in http.get("/manifest.xml").text
        r = http.post(CALL, json={"func_name": "kam_portfolio_band", "args": {"cdb_iii_rel": 0.1}},
                      headers={"X-API-Key": API_KEY})
        assert (r.status_code, r.json()["error"]) == (422, "request not understood: args: expected a list of "
                                                           "arguments, one per parameter, got an object")
        controller = _controller(tmp_path, str(tmp_path / "Datenbuch.xlsx"), str(output_root))
        r = http.post("/xlwings/custom-scripts-call/kam_validate", json=_book_of(controller),
                      headers={"X-API-Key": API_KEY})
        assert r.status_code == 200, r.text
        rows = [row for a in r.json()["actions"][1:] if a["func"] == "setValues" for row in a["values"]]
        assert [row[3] for row in rows] == [
            f"{_DATA_LABEL}: {tmp_path / 'Datenbuch.xlsx'} is outside this server's data folders — allowed: a "
            f"path under {data_root.resolve()} (--data-root (KAM_XL_DATA_ROOTS))"]
        assert shutil.which("node"), "Node.js runs the add-in's custom-function client here (apt-get install nodejs)"
        # the add-in's own JavaScript client against the real server, under Node.js
        node = subprocess.run(["node", "-e", _NODE_HARNESS], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "KAM_BASE": base, "KAM_CREDENTIAL": API_KEY,
                                   "NODE_EXTRA_CA_CERTS": str(cert)})
        assert node.returncode == 0, node.stderr
        out = json.loads(node.stdout)
        assert out["card"] == [[0.4, 80, 60, 8, 8], [0.6, 70, 90, -12, 18]]
        assert out["wrong"] == [["#KAM! Kgb weights sum to 90 — allowed: fractions summing to 1 or points "
                                 "summing to 100"]]
        assert out["band"] == [[""]]
        assert out["denied"] == ["FunctionError", "#VALUE!", "kam_xl server 401: the credential sent is not "
                                 "valid — send the header X-API-Key: <key> with a key this server knows"]
        assert "KAM_KGB_CARD" in out["associated"] and "KAM_PORTFOLIO_BAND" in out["associated"]
    text = served.log_text()
    assert served.exit_code == 0, text
    assert f"kam_xl server on {base}" in text
    assert "Shutting down" in text or "Finished server process" in text


# ---------------------------------------------------------------------------------------------------------------
# The macros touch only the folders and databases the server was started with

_DATA_LABEL = "ctl_databook (Data book (file or folder))"
_OUTPUT_LABEL = "ctl_output (Output folder)"


@pytest.fixture(scope="module")
def roots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A data root holding the demo data book, an output root, and a folder outside both with another copy."""
    from kam_xl.databook import demo_databook, write_databook

    base = tmp_path_factory.mktemp("roots")
    paths = {"data": base / "data", "out": base / "out", "elsewhere": base / "elsewhere"}
    for folder in paths.values():
        folder.mkdir()
    write_databook(demo_databook(), paths["data"] / "Datenbuch.xlsx")
    write_databook(demo_databook(), paths["elsewhere"] / "Datenbuch.xlsx")
    return paths


@pytest.fixture(scope="module")
def rooted(server: Any, roots: dict[str, Path]) -> Iterator[TestClient]:
    """A client of a server started with --data-root, --output-root and one --allow-db-url."""
    settings = server.ServerSettings(api_keys=(API_KEY,), data_roots=(roots["data"],), output_roots=(roots["out"],),
                                     allow_db_urls=("postgresql+psycopg://admin:Adm1nPass@db.example.com/kam",))
    with TestClient(server.create_app(settings), raise_server_exceptions=False) as c:
        yield c


def _controller(folder: Path, databook: str, output: str, account: str | None = None) -> Path:
    from kam_xl.batch import write_controller
    from kam_xl.databook import demo_databook
    from kam_xl.workbook.controller import ControllerSettings

    return write_controller(demo_databook(), folder / f"Controller-{uuid.uuid4().hex[:8]}.xlsx", "en",
                            settings=ControllerSettings(databook=databook, output=output, lang="en", account=account))


def _macro(c: TestClient, name: str, controller: Path) -> tuple[str, list[list[str]]]:
    """Run a macro through the endpoint: 200, the status line and the error rows it writes."""
    from officejs_book import officejs_book

    r = c.post(f"/xlwings/custom-scripts-call/{name}", json=officejs_book(controller), headers={"X-API-Key": API_KEY})
    assert r.status_code == 200, r.text
    written = [a for a in r.json()["actions"] if a["func"] == "setValues"]
    return written[0]["values"][0][0], [row for a in written[1:] for row in a["values"]]


def test_outside_root_data_book_and_output_folder_are_refused(rooted: TestClient, roots: dict[str, Path],
                                                             tmp_path: Path) -> None:
    data, out, elsewhere = roots["data"], roots["out"], roots["elsewhere"]
    controller = _controller(tmp_path, str(elsewhere / "Datenbuch.xlsx"), str(elsewhere / "plans"))
    status, errors = _macro(rooted, "kam_generate_all", controller)
    assert status.startswith("Generate all account plans ") and status.endswith(
        ": not run, 2 problem(s) – see the error list.")
    assert [e[3] for e in errors] == [
        f"{_OUTPUT_LABEL}: {elsewhere / 'plans'} is outside this server's output folders — allowed: a path under "
        f"{out} (--output-root (KAM_XL_OUTPUT_ROOTS))",
        f"{_DATA_LABEL}: {elsewhere / 'Datenbuch.xlsx'} is outside this server's data folders — allowed: a path under "
        f"{data} (--data-root (KAM_XL_DATA_ROOTS))"]
    assert [e[:3] for e in errors] == [[controller.name, "Settings", "B5"], [controller.name, "Settings", "B4"]]
    assert not (elsewhere / "plans").exists()  # nothing written outside


def test_inside_the_roots_the_macros_work(rooted: TestClient, roots: dict[str, Path], tmp_path: Path) -> None:
    controller = _controller(tmp_path, str(roots["data"] / "Datenbuch.xlsx"), str(roots["out"] / "plans"))
    status, errors = _macro(rooted, "kam_validate", controller)
    assert (status.split(": ", 1)[1], errors) == (
        f"OK – data book with 14 accounts, output folder {roots['out'] / 'plans'} (will be created).", [])
    # relative paths are taken from the first root of their kind, not from the server's working folder
    controller = _controller(tmp_path, "Datenbuch.xlsx", "team-nord", account="KA-003")
    status, errors = _macro(rooted, "kam_refresh_plan", controller)
    assert errors == [] and "KA-003 → KA-003_" in status and status.endswith(" created; no conflicts.")
    assert [p.name for p in (roots["out"] / "team-nord").glob("KA-003_*.xlsx")] != []


@pytest.mark.parametrize("trick", ["dotdot", "symlink-folder", "symlink-file", "absolute-book-name"])
def test_escapes_from_the_roots_are_refused(rooted: TestClient, roots: dict[str, Path], tmp_path: Path,
                                            trick: str) -> None:
    from officejs_book import officejs_book

    data, out, elsewhere = roots["data"], roots["out"], roots["elsewhere"]
    if trick == "dotdot":  # lexically under the root, really beside it
        databook, output = f"{data}/../elsewhere/Datenbuch.xlsx", f"{out}/../elsewhere"
    elif trick == "symlink-folder":  # a link inside each root pointing outside
        (data / f"link-{tmp_path.name}").symlink_to(elsewhere, target_is_directory=True)
        (out / f"link-{tmp_path.name}").symlink_to(elsewhere, target_is_directory=True)
        databook, output = f"{data}/link-{tmp_path.name}/Datenbuch.xlsx", f"{out}/link-{tmp_path.name}"
    elif trick == "symlink-file":
        (data / f"book-{tmp_path.name}.xlsx").symlink_to(elsewhere / "Datenbuch.xlsx")
        databook, output = f"{data}/book-{tmp_path.name}.xlsx", str(out)
    else:  # relative paths with a workbook that claims to live outside: still taken from the roots
        databook, output = "../elsewhere/Datenbuch.xlsx", "../elsewhere"
    controller = _controller(tmp_path, databook, output)
    payload = officejs_book(controller)
    if trick == "absolute-book-name":
        payload["book"]["name"] = str(elsewhere / "Controller.xlsx")
    r = rooted.post("/xlwings/custom-scripts-call/kam_validate", json=payload, headers={"X-API-Key": API_KEY})
    assert r.status_code == 200, r.text
    rows = [row for a in r.json()["actions"][1:] if a["func"] == "setValues" for row in a["values"]]
    problems = [row[3] for row in rows]
    assert any(p.startswith(_DATA_LABEL) and "is outside this server's data folders (it resolves to "
               f"{elsewhere}" in p for p in problems), problems
    if trick != "symlink-file":
        assert any(p.startswith(_OUTPUT_LABEL) and "is outside this server's output folders (it resolves to "
                   f"{elsewhere}" in p for p in problems), problems
    assert len(problems) == (1 if trick == "symlink-file" else 2)


def test_without_roots_no_folder_is_allowed_and_the_message_says_which_option(client: TestClient,
                                                                             roots: dict[str, Path],
                                                                             tmp_path: Path) -> None:
    controller = _controller(tmp_path, str(roots["data"] / "Datenbuch.xlsx"), str(roots["out"]))
    status, errors = _macro(client, "kam_collect", controller)
    assert status.endswith(": not run, 2 problem(s) – see the error list.")
    assert [e[3] for e in errors] == [
        f"{_OUTPUT_LABEL}: {roots['out']} is refused: this server allows no output folder yet — the server's "
        "administrator must start kam-xl serve with --output-root (KAM_XL_OUTPUT_ROOTS)",
        f"{_DATA_LABEL}: {roots['data'] / 'Datenbuch.xlsx'} is refused: this server allows no data folder yet — "
        "the server's administrator must start kam-xl serve with --data-root (KAM_XL_DATA_ROOTS)"]


def test_database_urls_must_be_on_the_allow_list_and_passwords_are_never_shown(
        rooted: TestClient, roots: dict[str, Path], tmp_path: Path) -> None:
    secret = "S3cr3t-Pa55"
    cases = {
        f"postgresql+psycopg://kam:{secret}@evil.example.net:5432/kam":
            "the database postgresql+psycopg://evil.example.net:5432/kam is not on this server's allow-list — "
            "allowed: postgresql+psycopg://db.example.com/kam (the server's administrator adds one with "
            "--allow-db-url / KAM_XL_ALLOW_DB_URLS)",
        "sqlite:////etc/kam.db":
            "the database sqlite:////etc/kam.db is not on this server's allow-list — allowed: "
            "postgresql+psycopg://db.example.com/kam (the server's administrator adds one with --allow-db-url / "
            "KAM_XL_ALLOW_DB_URLS)",
        # on the list (other user, other password, host in capitals): allowed, but this version reads files only
        f"postgresql+psycopg://reader:{secret}@DB.example.com/kam":
            "postgresql+psycopg://db.example.com/kam: reading a data book from a database is not supported by this "
            "kam_xl — allowed: the path of an .xlsx data book or of a folder of CSV files",
    }
    for url, message in cases.items():
        controller = _controller(tmp_path, url, str(roots["out"]))
        r = rooted.post("/xlwings/custom-scripts-call/kam_validate", json=_book_of(controller),
                        headers={"X-API-Key": API_KEY})
        assert r.status_code == 200, r.text
        assert secret not in r.text and "Adm1nPass" not in r.text
        rows = [row for a in r.json()["actions"][1:] if a["func"] == "setValues" for row in a["values"]]
        assert [row[3] for row in rows] == [f"{_DATA_LABEL}: {message}"], url


@pytest.mark.parametrize(("value", "problem"), [
    ("a\x00b", "is not a usable path (embedded null byte)"),
    ("x" * 5000, "5,000 characters, at most 1,000 allowed"),  # the cell's own limit, before the path
    ("~kein_nutzer_xyz/Datenbuch.xlsx", "does not exist"),
    ("http://[::1/kam", "not a valid URL (Invalid IPv6 URL)"),
    ("postgresql://u:pw-9@db:99999/kam", "postgresql://db:99999/kam: the port is not valid"),
], ids=["nul", "too-long", "unknown-user", "bad-url", "bad-port"])
def test_hostile_setting_values_are_error_rows_not_500(rooted: TestClient, tmp_path: Path, value: str,
                                                       problem: str) -> None:
    controller = _controller(tmp_path, "SETTING-D", "SETTING-O")
    text = json.dumps(_book_of(controller)).replace("SETTING-D", json.dumps(value)[1:-1])
    r = rooted.post("/xlwings/custom-scripts-call/kam_validate", content=text.replace("SETTING-O", "plans"),
                    headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    rows = [row for a in r.json()["actions"][1:] if a["func"] == "setValues" for row in a["values"]]
    assert [row[3][:len(_DATA_LABEL)] for row in rows] == [_DATA_LABEL] and problem in rows[0][3], rows
    assert "pw-9" not in r.text


def _book_of(controller: Path) -> dict[str, Any]:
    from officejs_book import officejs_book

    return officejs_book(controller)


def test_roots_and_allow_list_from_the_environment(server: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, out = tmp_path / "a", tmp_path / "b b", tmp_path / "out"
    for folder in (a, b, out):
        folder.mkdir()
    (tmp_path / "link").symlink_to(a, target_is_directory=True)
    environ(monkeypatch, {"KAM_XL_API_KEYS": API_KEY, "KAM_XL_DATA_ROOTS": f"{tmp_path / 'link'}{os.pathsep}{b}",
                          "KAM_XL_OUTPUT_ROOTS": str(out),
                          "KAM_XL_ALLOW_DB_URLS": "sqlite:////srv/kam.db postgresql+psycopg://u:pw-123@DB:5432/kam"})
    s = server.ServerSettings.from_env()
    assert (s.data_roots, s.output_roots) == ((a, b), (out,))  # links resolved at the start
    assert s.allow_db_urls == ("sqlite:////srv/kam.db", "postgresql+psycopg://db:5432/kam")
    assert "pw-123" not in repr(s)
    s = server.ServerSettings.from_env(data_roots=[out], output_roots=[a, b])  # options win over the environment
    assert (s.data_roots, s.output_roots) == ((out,), (a, b))
    problems = {
        f"--data-root (KAM_XL_DATA_ROOTS): '{tmp_path / 'nope'}' is not an existing folder — allowed: an existing "
        "folder": {"data_roots": [tmp_path / "nope"]},
        "--output-root (KAM_XL_OUTPUT_ROOTS): '/' is the root of a file system": {"output_roots": [Path("/")]},
        "--allow-db-url (KAM_XL_ALLOW_DB_URLS): not a database URL": {"allow_db_urls": ["db.example.com/kam"]},
        "--allow-db-url (KAM_XL_ALLOW_DB_URLS): postgresql://db.example.com:x/kam: the port is not valid": {
            "allow_db_urls": ["postgresql://u:pw-123@db.example.com:x/kam"]},
    }
    for message, options in problems.items():
        with pytest.raises(server.ServerConfigError, match=re.escape(message)) as info:
            server.ServerSettings.from_env(**options)
        assert "pw-123" not in str(info.value)


def test_serve_command_states_a_bad_root_without_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kam_xl.cli import app

    environ(monkeypatch, {"KAM_XL_API_KEYS": API_KEY})
    r = CliRunner().invoke(app, ["serve", "--data-root", str(tmp_path / "fehlt"), "--port", "0"])
    assert r.exit_code == 2
    assert "--data-root (KAM_XL_DATA_ROOTS)" in r.output and "is not an existing folder" in r.output
    assert "Traceback" not in r.output


# ---------------------------------------------------------------------------------------------------------------
# Malformed bodies: 422 naming the field, never 500

_CELL = "a cell: text, a number, true/false, null or an error object {type, basicValue}"


@pytest.mark.parametrize(("body", "message"), [
    ({"func_name": "kam_portfolio_band", "args": {"cdb_iii_rel": 0.1}},
     "args: expected a list of arguments, one per parameter, got an object"),
    ({"func_name": "kam_portfolio_band"}, "args: Field required"),
    ({"func_name": 7, "args": [[[0.1]]]}, "func_name: expected a text, got a number"),
    ({"func_name": "kam_portfolio_band", "args": [{"value": 0.1}]},
     "args.0: expected an argument: rows of cells (a list of lists), a single cell or null, got an object"),
    ({"func_name": "kam_portfolio_band", "args": [[0.1]]}, "args.0.0: expected a row of cells (a list), got a number"),
    ({"func_name": "kam_portfolio_band", "args": [[[{"value": 0.1}]]]}, f"args.0.0.0: expected {_CELL}, got an object"),
    ({"func_name": "kam_kgb_card", "args": [[["Preis"]], [[40]], [["Wir", ["Die"]]], [[1, 2]], None]},
     f"args.2.0.1: expected {_CELL}, got a list"),
    ({"func_name": "kam_portfolio_band", "args": [[[0.1]]], "runtime": 1.4},
     "runtime: expected a text, got a number"),
    ({"func_name": "kam_portfolio_band", "args": [[[0.1]]], "caller_address": ["A1"]},
     "caller_address: expected a text, got a list"),
    ([1, 2], "expected an object, got a list"),
], ids=["args-object", "args-missing", "func-name-number", "argument-object", "row-not-list", "cell-object",
        "cell-list", "runtime-number", "address-list", "body-list"])
def test_malformed_function_calls_get_422_naming_the_field(client: TestClient, body: Any, message: str) -> None:
    r = call(client, body)
    assert (r.status_code, r.json()) == (422, {"error": f"request not understood: {message}"})


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "the body is not valid JSON (key must be a string at line 1 column 2)"),
    (b"", "the body is not valid JSON (EOF while parsing a value at line 1 column 0)"),
    (b"\xff\xfe{}", "the body is not valid JSON (expected value at line 1 column 1)"),
    (b'{"func_name": "kam_portfolio_band", "args": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     "the body is nested too deeply (recursion limit exceeded at line 1 column 245) — allowed: the shapes Excel's "
     "Office.js client sends"),
], ids=["not-json", "empty", "binary", "deep"])
def test_bodies_that_are_not_json_get_422(client: TestClient, content: bytes, message: str) -> None:
    for path in (CALL, "/xlwings/custom-scripts-call/kam_validate"):
        r = client.post(path, content=content, headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (422, {"error": f"request not understood: {message}"}), path


def test_malformed_macro_bodies_get_422_naming_the_field(client: TestClient) -> None:
    def post(change: Any) -> httpx.Response:
        body = _tiny_book(1)
        change(body)
        return client.post("/xlwings/custom-scripts-call/kam_validate", json=body, headers={"X-API-Key": API_KEY})

    cases = {
        "sheets.0.values: expected the sheet's rows of cells (a list of lists), got an object":
            lambda b: b["sheets"][0].update(values={"A1": 1}),
        "sheets.0.values.0.1: expected a cell: text, a number, true/false or null, got an object":
            lambda b: b["sheets"][0]["values"][0].__setitem__(1, {"type": "Error"}),
        "sheets.0: values row 2 has 1 cell(s), row 1 has 2 — allowed: rows of equal length (the used range from A1)":
            lambda b: b["sheets"][0]["values"].append([3]),
        "names.0: expected a defined name: an object with name, sheet_index, address, book_scope, got a text":
            lambda b: b.update(names=["ctl_status"]),
        "names.0.address: expected an A1 address (e.g. B2, A18:D67, A:A or 1:3), got 'Einstellungen!!B2'":
            lambda b: b.update(names=[{"name": "ctl_status", "sheet_index": 0, "address": "Einstellungen!!B2",
                                       "book_scope": True}]),
        "names.0.sheet_index 4 (ctl_status) — allowed: 0 to 0 (one per sheet)":
            lambda b: b.update(names=[{"name": "ctl_status", "sheet_index": 4, "address": "B2", "book_scope": True}]),
        "sheets.0.tables.0.range_address: Field required":
            lambda b: b["sheets"][0].update(tables=[{"name": "Umsatz"}]),
        "book: expected the workbook: an object with name and active_sheet_index, got a list":
            lambda b: b.update(book=["Mappe1.xlsx", 0]),
        "sheets: expected a list of sheets, got an object": lambda b: b.update(sheets={"Tabelle1": [[1]]}),
    }
    for message, change in cases.items():
        r = post(change)
        assert (r.status_code, r.json()) == (422, {"error": f"request not understood: {message}"}), message
    assert client.get("/health").status_code == 200


def test_many_bad_cells_are_summed_up(client: TestClient) -> None:
    r = call(client, {"func_name": "kam_portfolio_band", "args": [[[{}] * 30]]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error.count(f"expected {_CELL}, got an object") == 10
    assert error.endswith("; … and 20 more")


# ---------------------------------------------------------------------------------------------------------------
# One bad file in the collected folder never stops the server


def _zip_bomb(path: Path, inflated: int = 64 * 1024 * 1024, declared: int = 0xFFFFFFF0) -> Path:
    """An .xlsx-named zip of a single part: ``inflated`` bytes of zeros (deflated to ~1/1000), its header
    claiming ``declared`` bytes (~4 GB) — beyond any sane limit either way."""
    import struct
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, \
            zf.open("xl/workbook.xml", "w", force_zip64=False) as part:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(inflated // len(chunk)):
            part.write(chunk)
    data = bytearray(path.read_bytes())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 22:local + 26] = struct.pack("<I", declared)
    data[central + 24:central + 28] = struct.pack("<I", declared)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need a POSIX system")
def test_collect_over_a_damaged_file_a_fifo_and_a_zip_bomb_keeps_serving(rooted: TestClient, roots: dict[str, Path],
                                                                         tmp_path: Path) -> None:
    # The guards are in the reader and the collect loop (kam_xl.batch); this asserts what must hold at the
    # server: the macro answers 200 with every bad file listed, and the server keeps serving.
    import concurrent.futures

    folder = roots["out"] / "collect-bad"
    controller = _controller(tmp_path, str(roots["data"] / "Datenbuch.xlsx"), str(folder), account="KA-003")
    status, errors = _macro(rooted, "kam_refresh_plan", controller)
    assert errors == [], status
    plan = next(folder.glob("KA-003_*.xlsx"))
    (folder / "KA-900_kaputt.xlsx").write_bytes(plan.read_bytes()[:3000])  # truncated: a damaged zip
    os.mkfifo(folder / "KA-901_fifo.xlsx")
    _zip_bomb(folder / "KA-902_bombe.xlsx")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(_macro, rooted, "kam_collect", controller)
        try:
            status, errors = running.result(timeout=30)
        except concurrent.futures.TimeoutError:
            fd = os.open(folder / "KA-901_fifo.xlsx", os.O_WRONLY | os.O_NONBLOCK)  # let a blocked reader go on
            os.close(fd)
            running.result(timeout=60)
            pytest.fail("collect waited on the FIFO KA-901_fifo.xlsx (released by the test)")
    assert status.startswith("Collect and consolidate "), status
    listed = " | ".join(" ".join(row) for row in errors)
    for name in ("KA-900_kaputt.xlsx", "KA-901_fifo.xlsx", "KA-902_bombe.xlsx"):
        assert name in listed, (name, errors)
    assert "1 plan(s)" in status  # the good plan was read all the same
    assert rooted.get("/health").json()["status"] == "ok"
    assert result(rooted, "kam_portfolio_band", scalar(0.12)) == [["high"]]
