"""The add-in's task pane in a real browser: headless Chromium against the real ``kam-xl serve``.

One server per module (``python -m kam_xl.cli serve`` on a free loopback port, HTTPS with a self-signed
certificate, an API key) and one Chromium (Debian's ``chromium`` package, driven by Playwright's Python
package — no browser download). Excel is not here, and Microsoft's CDN is not reachable: the page's request
for office.js is answered inside the browser with ``officejs_standin.js``, an Office.js stand-in holding a
generated controller workbook as :func:`officejs_book.officejs_book` models it. What a controller would see is
checked there: the task pane's labels, its busy state, its status text and error list, and the cells the macros
write back into the workbook.

Run alone with ``pytest -m browser``. Without Chromium the tests fail (never skip) and say how to install it.
``KAM_XL_SCREENSHOT=docs/taskpane.png`` also writes the README's screenshot of the task pane.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from officejs_book import officejs_book
from serving import Served, serving

pytestmark = pytest.mark.browser

API_KEY = "kam-browser-key-0123456789abcdef"
OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
STAND_IN = Path(__file__).with_name("officejs_standin.js")
ROOT = Path(__file__).resolve().parents[1]  # the server runs this checkout's kam_xl, whatever is installed
CHROMIUM = os.environ.get("KAM_XL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a headless Chromium on a closed machine (also as root): no sandbox, no GPU, no calls home.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
#: The status-line words of the four macros (kam_xl.addin.macros.MACRO_WORDS), in the task pane's order.
SCRIPTS = ("kam_validate", "kam_refresh_plan", "kam_generate_all", "kam_collect")
GERMAN = ("Prüfen", "Account-Plan erneuern", "Alle Account-Pläne erzeugen", "Einsammeln und konsolidieren")
ENGLISH = ("Validate", "Refresh account plan", "Generate all account plans", "Collect and consolidate")
#: The pane is not running a macro: no busy status, no disabled macro button.
IDLE = "!document.querySelector('#kam-status.busy, button[data-script]:disabled')"
#: Records every state of the status line with the macro section's busy state (installed before page scripts).
RECORDER = """
  window.kamStates = [];
  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("kam-status");
    new MutationObserver(() => window.kamStates.push({
      text: box.textContent, kind: box.className,
      busy: document.getElementById("kam-macros").getAttribute("aria-busy"),
      disabled: [...document.querySelectorAll("button[data-script]")].map((b) => b.disabled),
      running: [...document.querySelectorAll("button.running")].map((b) => b.textContent),
    })).observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
  });
"""


# ---------------------------------------------------------------------------------------------------------------
# The server and the browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``kam-xl serve`` over HTTPS (self-signed certificate for 127.0.0.1) with one API key; the macros may only
    read and write under the roots it is started with — pytest's base temp folder, where every controller, data
    book and output folder of these tests lies."""
    root = str(tmp_path_factory.getbasetemp())
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "KAM_XL_API_KEYS": API_KEY, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    with serving(tmp_path_factory.mktemp("server"), ["--data-root", root, "--output-root", root], env) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system (Debian's ``chromium``), driven by Playwright."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is not installed ({CHROMIUM} not found): the browser tests need it — "
                    "apt-get install chromium (.ci/run installs it), or set KAM_XL_CHROMIUM to its path. "
                    "Do not run 'playwright install': the tests use the system browser.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------------------------------------------------------
# Workbooks and the task pane


def _controller(folder: Path, databook: Path | None = None, lang: str = "de") -> Path:
    """A controller workbook generated from the demo data book (written to ``folder/daten.xlsx`` unless
    ``databook`` is given), output folder ``folder/out``, account KA-001, in ``lang``."""
    from kam_xl.batch import write_controller
    from kam_xl.databook import demo_databook, write_databook
    from kam_xl.workbook.controller import ControllerSettings

    db = demo_databook()
    if databook is None:
        databook = write_databook(db, folder / "daten.xlsx")
    return write_controller(db, folder / "Controller.xlsx", lang, settings=ControllerSettings(
        databook=str(databook), output=str(folder / "out"), lang="de", account="KA-001"))


@pytest.fixture(scope="module")
def controller(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One German controller for the tests that only read it or validate it (validation writes no file)."""
    return _controller(tmp_path_factory.mktemp("controller"))


def _where(book: dict[str, Any], name: str) -> str:
    """``Sheet!A1`` of a workbook-level defined name of a posted workbook."""
    found = next(n for n in book["names"] if n["name"] == name and n["book_scope"])
    return f"{book['sheets'][found['sheet_index']]['name']}!{found['address']}"


@dataclass
class Pane:
    """The task pane page in a fresh browser context, with what it logged and requested."""

    page: Any
    book: dict[str, Any]
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    posts: list[Any] = field(default_factory=list)  # the requests to the server's call endpoints

    def status(self) -> str:
        return self.page.locator("#kam-status").inner_text()

    def cell(self, address: str) -> Any:
        return self.page.evaluate("(a) => KamStandIn.cell(a)", address)

    def block(self, address: str) -> list[list[Any]]:
        return self.page.evaluate("(a) => KamStandIn.block(a)", address)

    def run(self, label: str) -> str:
        """Click the macro button ``label`` and wait until the pane is no longer busy; the status text."""
        self.page.get_by_role("button", name=label, exact=True).click()  # the click handler sets the busy state
        self.page.wait_for_function(IDLE)
        return self.status()

    def save_credential(self, text: str) -> None:
        self.page.locator("#kam-credential").fill(text)
        self.page.locator("#kam-credential-save").click()


def _stand_in(book: dict[str, Any]) -> str:
    setup = {"book": book, "culture": "de-DE", "shortDatePattern": "TT.MM.JJJJ",
             "sets": {"ExcelApi": "1.17", "CustomFunctionsRuntime": "1.4"}}
    return f"globalThis.KAM_STAND_IN = {json.dumps(setup)};\n" + STAND_IN.read_text("utf-8")


@pytest.fixture
def open_pane(browser: Any, server: Served) -> Iterator[Callable[..., Pane]]:
    """Open the task pane on a controller workbook (Office.js answered by the stand-in); with ``key``, type the
    API key into the pane and save it, as a user does once."""
    contexts = []

    def opener(controller: Path, key: str | None = API_KEY) -> Pane:
        context = browser.new_context(ignore_https_errors=True, locale="de-DE", viewport={"width": 380, "height": 760})
        contexts.append(context)
        page = context.new_page()
        pane = Pane(page, officejs_book(controller))
        body = _stand_in(pane.book)
        page.route(OFFICE_JS, lambda route: route.fulfill(status=200, content_type="text/javascript", body=body))
        page.add_init_script(RECORDER)
        page.on("console", lambda m: m.type == "error" and pane.errors.append(m.text))
        page.on("pageerror", lambda e: pane.errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: "-call" in r.url and pane.posts.append(r))
        page.set_default_timeout(10_000)
        page.goto(server.base + "/taskpane")
        # ready: the pane has asked the workbook for its language (its first Excel.run) and applied it
        page.wait_for_function("globalThis.KamStandIn && KamStandIn.calls.finished > 0")
        if key is not None:
            pane.save_credential(key)
        return pane

    yield opener
    for context in contexts:
        context.close()


# ---------------------------------------------------------------------------------------------------------------
# The tests


def test_each_macro_button_on_a_generated_controller(open_pane: Callable[..., Pane], tmp_path: Path) -> None:
    controller = _controller(tmp_path)
    pane = open_pane(controller)
    page, out = pane.page, tmp_path / "out"
    status_cell, errors_block = _where(pane.book, "ctl_status"), _where(pane.book, "ctl_errors")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert [b.inner_text() for b in page.locator("button[data-script]").all()] == list(GERMAN)
    assert page.locator("#kam-macros > h2").inner_text() == "Makros"
    assert pane.status() == ("API-Schlüssel für dieses Excel gespeichert. Neu berechnen (Strg+Alt+F9) "
                             "aktualisiert die KAM-Funktionen.")
    when = r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d"

    text = pane.run("Prüfen")
    done, line = text.split("\n")
    assert done == "Prüfen: fertig – 2 Änderung(en) in die Arbeitsmappe geschrieben."
    assert re.fullmatch(rf"Prüfen {when}: in Ordnung – Datenbuch mit 14 Kunden, Ausgabeordner {out} "
                        r"\(wird angelegt\)\.", line)
    assert pane.cell(status_cell) == line  # the cell the macro wrote, as the pane shows it
    assert page.locator("#kam-errors").is_hidden()

    line = pane.run("Account-Plan erneuern").split("\n")[1]
    assert re.fullmatch(rf"Account-Plan erneuern {when}: KA-001 → KA-001_Papierfabrik_Weserbogen_AG\.xlsx neu "
                        r"erzeugt; keine Konflikte\.", line)
    assert pane.cell(status_cell) == line
    assert (out / "KA-001_Papierfabrik_Weserbogen_AG.xlsx").is_file()

    line = pane.run("Alle Account-Pläne erzeugen").split("\n")[1]
    assert re.fullmatch(rf"Alle Account-Pläne erzeugen {when}: 13 neu, 1 erneuert, 0 nicht geschrieben; "
                        rf"0 Konflikt\(e\) → {out}\.", line)
    assert len(list(out.glob("KA-*.xlsx"))) == 14

    line = pane.run("Einsammeln und konsolidieren").split("\n")[1]
    m = re.fullmatch(rf"Einsammeln und konsolidieren {when}: 14 Plan/Pläne und 0 Fragebogen/-bögen gelesen, "
                     r"0 Datei\(en\) mit Fehlern, 0 übersprungen → (Controller_\d{8}-\d{6}\.xlsm)\.", line)
    assert m is not None, line
    assert (out / m[1]).is_file()
    assert pane.cell(status_cell) == line
    assert all(v == "" for row in pane.block(errors_block) for v in row)  # cleared by every run, nothing new

    # the busy state of every run: status "… läuft", section aria-busy, all four buttons disabled, then back
    states = page.evaluate("window.kamStates")
    busy = [s for s in states if s["kind"] == "status busy"]
    assert [s["text"] for s in busy] == [f"{label} läuft …" for label in GERMAN]
    assert [(s["busy"], s["disabled"]) for s in busy] == [("true", [True] * 4)] * 4
    assert [s["running"] for s in busy] == [[label] for label in GERMAN]
    assert page.locator("button[data-script]:disabled").count() == 0
    # every call carried the key; nothing became a formula; no console errors
    assert [p.url.rsplit("/", 1)[1] for p in pane.posts] == list(SCRIPTS)
    assert all(p.all_headers().get("x-api-key") == API_KEY for p in pane.posts)
    assert page.evaluate("KamStandIn.formulas()") == []
    assert pane.errors == []


def test_error_list_names_file_sheet_and_cell(open_pane: Callable[..., Pane], books: Any, tmp_path: Path) -> None:
    five = books.write_xlsx(tmp_path / "five.xlsx", books.five_mistakes)
    pane = open_pane(_controller(tmp_path, databook=five))
    page = pane.page
    text = pane.run("Prüfen")
    assert text.split("\n")[1].endswith(": 5 Problem(e) – siehe Fehlerliste.")
    assert page.locator("#kam-status").get_attribute("class") == "status error"
    errors = page.get_by_role("list", name="Fehlerliste (5)")
    where = sorted(errors.locator(".where").all_inner_texts())
    assert where == ["Datei five.xlsx, Blatt cdb, Zelle A4", "Datei five.xlsx, Blatt cdb, Zelle C3",
                     "Datei five.xlsx, Blatt excellence, Zelle D3", "Datei five.xlsx, Blatt kaop_costs, Zelle F3",
                     "Datei five.xlsx, Blatt kgb, Zelle D2"]
    items = errors.locator("li").all_inner_texts()
    assert any("Kgb weights sum to 90" in item for item in items)
    assert any("value 'viel'" in item for item in items)
    # the same rows written back into ctl_errors (file, sheet, cell, problem), in the list's order
    rows = pane.block(_where(pane.book, "ctl_errors"))
    written = [r for r in rows if r[0]]
    assert [f"Datei {r[0]}, Blatt {r[1]}, Zelle {r[2]}" for r in written] == errors.locator(".where").all_inner_texts()
    assert len(rows) == 50 and all(r == ["", "", "", ""] for r in rows[5:])
    shot = page.screenshot(full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("KAM_XL_SCREENSHOT")
    if target:
        Path(target).write_bytes(shot)
    assert pane.errors == []


def test_english_workbook_gets_english_labels(open_pane: Callable[..., Pane], tmp_path: Path) -> None:
    pane = open_pane(_controller(tmp_path, lang="en"))
    page = pane.page
    assert page.evaluate("document.documentElement.lang") == "en"
    assert [b.inner_text() for b in page.locator("button[data-script]").all()] == list(ENGLISH)
    assert page.locator("#kam-credential").get_attribute("aria-label") == "API key"
    done, line = pane.run("Validate").split("\n")
    assert done == "Validate: done – 2 change(s) written to the workbook."
    assert line.startswith("Validate ") and ": OK – data book with 14 accounts" in line
    assert pane.errors == []


def test_wrong_or_missing_key_gives_a_clear_german_message(open_pane: Callable[..., Pane], controller: Path) -> None:
    pane = open_pane(controller, key="falscher-schluessel-000000")
    status_cell = _where(pane.book, "ctl_status")
    before = pane.cell(status_cell)
    assert pane.run("Prüfen") == ("Prüfen: Der Server hat den API-Schlüssel abgelehnt (401). Bitte den "
                                  "API-Schlüssel prüfen, den Sie von Ihrer Administration erhalten haben, unten neu "
                                  "eingeben und „Speichern“ klicken.")
    assert pane.posts[-1].all_headers()["x-api-key"] == "falscher-schluessel-000000"
    pane.save_credential("")  # removes the stored key
    assert pane.status() == "API-Schlüssel entfernt."
    assert pane.run("Prüfen") == ("Prüfen: Es ist kein API-Schlüssel gespeichert. Bitte unten eingeben und "
                                  "„Speichern“ klicken.")
    assert "x-api-key" not in pane.posts[-1].all_headers()
    assert pane.page.locator("#kam-status").get_attribute("class") == "status error"
    assert pane.cell(status_cell) == before  # nothing written
    # the only console errors are Chromium's own lines for the two refused requests
    assert len(pane.errors) == 2 and all("401" in e for e in pane.errors), pane.errors


def test_a_workbook_that_is_no_controller(open_pane: Callable[..., Pane], controller: Path) -> None:
    # the data book itself is open instead of the controller: the server names the file and what is missing
    pane = open_pane(controller.parent / "daten.xlsx")
    assert re.fullmatch(r"Prüfen: Fehler vom Server \(400\): kam_validate: daten\.xlsx: no defined names "
                        r"ctl_status/ctl_errors — allowed: a controller workbook generated by kam_xl\. Prüfen "
                        r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d: 4 Problem\(e\) – siehe Fehlerliste\.", pane.run("Prüfen"))
    assert pane.page.locator("#kam-status").get_attribute("class") == "status error"
    assert pane.page.locator("#kam-errors").is_hidden()
    assert len(pane.errors) == 1 and "400" in pane.errors[0], pane.errors  # Chromium's line for the refused call


def test_custom_function_with_10000_rows_through_the_page(open_pane: Callable[..., Pane], controller: Path) -> None:
    pane = open_pane(controller)
    rows = 10_000
    # 10,000 criteria of 0.01 points each (summing to 100); own rating i mod 101, the competitor 50 — built in
    # the page, as Excel hands a range to the function: one array per row
    got = pane.page.evaluate("""async (rows) => {
        const names = Array.from({ length: rows }, (_, i) => [`Kriterium ${i}`]);
        const weights = Array.from({ length: rows }, () => [0.01]);
        const ratings = Array.from({ length: rows }, (_, i) => [i % 101, 50]);
        const started = performance.now();
        const result = await KamStandIn.functions.KAM_KGB_CARD(names, weights, [["Wir", "Die"]], ratings, null,
                                                               { address: "Karte!H3" });
        return { rows: result.length, row7: result[7], row100: result[100], last: result[rows - 1],
                 ms: performance.now() - started };
    }""", rows)
    ms = got["ms"]
    print(f"\nKAM_KGB_CARD over {rows:,} rows through the task pane's client: {ms:.0f} ms")
    assert got["rows"] == rows
    # row 7: weight 0.01 points = 0.0001; own 7, competitor 50: gap 0.0001 × (7 − 50) = −0.0043,
    # potential 0.0001 × (100 − 7) = 0.0093; row 100: own 100 → gap 0.005, potential 0;
    # row 9999: own 9999 mod 101 = 0 → gap −0.005, potential 0.01
    assert got["row7"] == pytest.approx([0.0001, 7, 50, -0.0043, 0.0093])
    assert got["row100"] == pytest.approx([0.0001, 100, 50, 0.005, 0])
    assert got["last"] == pytest.approx([0.0001, 0, 50, -0.005, 0.01])
    assert ms < 5000
    post = pane.posts[-1]
    assert post.url.endswith("/xlwings/custom-functions-call")
    assert post.all_headers()["x-api-key"] == API_KEY
    body = json.loads(post.post_data)
    assert (body["func_name"], body["caller_address"], body["culture_info_name"], body["date_format"],
            body["runtime"]) == ("kam_kgb_card", "[Controller.xlsx]Karte!H3", "de-DE", "TT.MM.JJJJ", "1.4")
    assert len(body["args"][3]) == rows
    assert pane.errors == []


def test_cors_refuses_a_foreign_origin(browser: Any, server: Served) -> None:
    context = browser.new_context(ignore_https_errors=True)
    # Chromium asks before a web page reaches a loopback address (Local Network Access); granted here, so that
    # what refuses the foreign page below is the server's CORS answer alone
    context.grant_permissions(["local-network-access"])
    fetch = """async ([url, key]) => {
        try {
            const r = await fetch(url, { method: "POST", headers: { "X-API-Key": key,
                "Content-Type": "application/json" }, body: JSON.stringify({ func_name: "kam_portfolio_band",
                args: [[[0.12]]] }) });
            return [r.status, await r.json()];
        } catch (error) {
            return ["refused", String(error)];
        }
    }"""
    url = server.base + "/xlwings/custom-functions-call"
    calls = '"POST /xlwings/custom-functions-call HTTP/1.1"'
    calls_before = server.log_text().count(calls)
    try:
        page = context.new_page()
        answers = {}
        for origin in ("https://excel.officeapps.live.com", "https://fremde-seite.example"):
            # the page itself comes from the test; the route is gone before the call, because while requests
            # are intercepted Playwright answers CORS preflights itself instead of letting the server decide
            page.route(origin + "/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                 body="<!doctype html><p>x</p>"))
            page.goto(origin + "/x/")
            page.unroute_all(behavior="wait")
            answers[origin] = page.evaluate(fetch, [url, API_KEY])
    finally:
        context.close()
    assert answers == {"https://excel.officeapps.live.com": [200, {"result": [["high"]]}],  # Excel on the web
                       "https://fremde-seite.example": ["refused", "TypeError: Failed to fetch"]}
    log = server.log_text()
    assert '"OPTIONS /xlwings/custom-functions-call HTTP/1.1" 200' in log
    assert '"OPTIONS /xlwings/custom-functions-call HTTP/1.1" 400' in log  # the preflight refused by the server
    assert log.count(calls) == calls_before + 1  # the foreign page's call never ran


def test_keyboard_reaches_every_button_by_its_name(open_pane: Callable[..., Pane], controller: Path) -> None:
    pane = open_pane(controller)
    page = pane.page
    for label, script in zip(GERMAN, SCRIPTS, strict=True):
        assert page.get_by_role("button", name=label, exact=True).get_attribute("data-script") == script
    assert page.get_by_role("textbox", name="API-Schlüssel").count() == 1
    assert page.get_by_role("status").count() == 1
    page.locator("h1").click()  # into the pane, before its first control
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent || document.activeElement.ariaLabel"))
    assert reached == [*GERMAN, "API-Schlüssel", "Speichern"]
    page.locator("h1").click()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Prüfen"
    page.keyboard.press("Enter")
    page.wait_for_function(IDLE)
    assert pane.status().startswith("Prüfen: fertig")
    assert page.evaluate("document.activeElement.textContent") == "Prüfen"  # focus back where the user was
    assert pane.errors == []
