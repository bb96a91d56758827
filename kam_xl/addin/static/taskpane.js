// kam_xl task pane: one button per macro (xlwings script) of the `udfs` package, served by `kam-xl serve`.
//
// A click reads the workbook as xlwings' Office.js client does (book name, active sheet, selection, names,
// tables and the values of every sheet from A1 to its last used cell; date cells as ISO texts), posts it to
// /xlwings/custom-scripts-call/<script>, and applies the actions the macro sent back (values written, sheets
// added, …). Text the macro writes never becomes a formula: a text starting with = + - or @ is written with
// Excel's text prefix (an apostrophe).
//
// The pane speaks German unless the workbook says English (its defined name meta_lang, as kam_xl's generated
// workbooks carry it). While a macro runs the buttons are disabled, the macro section is aria-busy and the
// status shows "… läuft"; afterwards the status shows what the macro wrote into ctl_status and the rows it
// wrote into ctl_errors (file, sheet, cell, problem) as a list — or why it could not run.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("kam-xl-config").textContent);
  const statusBox = () => document.getElementById("kam-status");

  // The pane's own words. The macro labels are the words of the status line the macros write
  // (kam_xl.addin.macros.MACRO_WORDS); a macro not listed here keeps the label the server gave it.
  const TEXT = {
    de: {
      intro: "Funktionen (=KAM.…) und Makros des Key Account Managements für diese Arbeitsmappe.",
      macros: "Makros",
      noMacros: "Auf diesem Server sind keine Makros installiert.",
      "api-key": "API-Schlüssel",
      bearer: "Zugriffstoken",
      credentialHint: "Wird nur in diesem Excel gespeichert; Funktionen und Makros senden ihn an den Server.",
      save: "Speichern",
      saved: "{credential} für dieses Excel gespeichert. Neu berechnen (Strg+Alt+F9) aktualisiert die KAM-Funktionen.",
      removed: "{credential} entfernt.",
      stored: "{credential} ist in diesem Excel gespeichert.",
      enter: "Bitte unten den {credential} eingeben, den Sie von Ihrer Administration erhalten haben.",
      storeFailed: "{credential} konnte nicht gespeichert werden: {error}",
      running: "{label} läuft …",
      done: "{label}: fertig – {count} Änderung(en) in die Arbeitsmappe geschrieben.",
      errorList: "Fehlerliste ({count})",
      where: "Datei {file}, Blatt {sheet}, Zelle {cell}",
      missingCredential: "{label}: Es ist kein {credential} gespeichert. Bitte unten eingeben und „Speichern“ klicken.",
      rejected: "{label}: Der Server hat den {credential} abgelehnt (401). Bitte den {credential} prüfen, den Sie " +
        "von Ihrer Administration erhalten haben, unten neu eingeben und „Speichern“ klicken.",
      tooLarge: "{label}: Die Arbeitsmappe ist für den Server zu groß (413): {detail}",
      serverError: "{label}: Fehler vom Server ({status}): {detail}",
      unreachable: "{label}: Der kam_xl-Server ist nicht erreichbar ({detail}).",
      failed: "{label}: {detail}",
    },
    en: {
      intro: "Key account management functions (=KAM.…) and macros for this workbook.",
      macros: "Macros",
      noMacros: "No macros are installed on this server.",
      "api-key": "API key",
      bearer: "access token",
      credentialHint: "Stored in this Excel only; the functions and macros send it to the server.",
      save: "Save",
      saved: "{credential} saved for this Excel. Recalculate (Ctrl+Alt+F9) to refresh the KAM functions.",
      removed: "{credential} removed.",
      stored: "{credential} stored for this Excel.",
      enter: "Enter the {credential} your administrator gave you below.",
      storeFailed: "Could not store the {credential}: {error}",
      running: "{label}: running …",
      done: "{label}: done – {count} change(s) written to the workbook.",
      errorList: "Error list ({count})",
      where: "file {file}, sheet {sheet}, cell {cell}",
      missingCredential: "{label}: no {credential} is stored. Enter it below and click “Save”.",
      rejected: "{label}: the server refused the {credential} (401). Check the {credential} your administrator " +
        "gave you, enter it again below and click “Save”.",
      tooLarge: "{label}: the workbook is too large for the server (413): {detail}",
      serverError: "{label}: error from the server ({status}): {detail}",
      unreachable: "{label}: the kam_xl server cannot be reached ({detail}).",
      failed: "{label}: {detail}",
    },
  };
  const MACROS = {
    kam_validate: {
      de: ["Prüfen", "Prüft diese Controller-Arbeitsmappe: Datenbuch (jedes Problem mit Datei, Blatt und Zelle), " +
        "Ausgabeordner, Sprache, Zielgewichte und Kunde; schreibt Statuszeile und Fehlerliste."],
      en: ["Validate"],
    },
    kam_refresh_plan: {
      de: ["Account-Plan erneuern", "Erneuert den Account-Plan des gewählten Kunden aus dem Datenbuch im " +
        "Ausgabeordner; die Eingaben des KAM bleiben, Konflikte werden gelistet, die alte Datei gesichert."],
      en: ["Refresh account plan"],
    },
    kam_generate_all: {
      de: ["Alle Account-Pläne erzeugen", "Erzeugt (oder erneuert, mit allen Eingaben der KAM) die Account-Pläne " +
        "aller Kunden des Datenbuchs im Ausgabeordner."],
      en: ["Generate all account plans"],
    },
    kam_collect: {
      de: ["Einsammeln und konsolidieren", "Sammelt die ausgefüllten Account-Pläne des Ausgabeordners ein und " +
        "schreibt die konsolidierte Controller-Arbeitsmappe als neue Datei daneben (Name in der Statuszeile)."],
      en: ["Collect and consolidate"],
    },
  };
  let lang = "de";

  // The text `key` in the pane's language with {name} filled in from `values`, as a sentence (capital first).
  function t(key, values) {
    const text = TEXT[lang][key].replace(/\{(\w+)\}/g, (whole, name) =>
      values && name in values ? String(values[name]) : whole,
    );
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  const credentialName = () => TEXT[lang][config.authScheme] || "";
  const macroButtons = () => Array.from(document.querySelectorAll("button[data-script]"));

  // Every text of the page in `language`; the server's own label and description stay for unknown macros.
  function applyLanguage(language) {
    lang = language in TEXT ? language : "de";
    document.querySelectorAll(":root").forEach((root) => (root.lang = lang));
    const texts = [
      ["h1 + p.hint", "intro"],
      ["#kam-macros > h2", "macros"],
      ["#kam-macros > p.hint", "noMacros"],
      ["#kam-auth > h2", config.authScheme],
      ["#kam-auth > p.hint", "credentialHint"],
      ["#kam-credential-save", "save"],
    ];
    for (const [selector, key] of texts) {
      document.querySelectorAll(selector).forEach((element) => (element.textContent = t(key)));
    }
    const input = document.getElementById("kam-credential");
    if (input) {
      input.setAttribute("aria-label", t(config.authScheme));
    }
    for (const button of macroButtons()) {
      if (button.dataset.serverLabel === undefined) {
        button.dataset.serverLabel = button.textContent;
        button.dataset.serverTitle = button.title;
      }
      const words = (MACROS[button.dataset.script] || {})[lang] || [];
      button.textContent = words[0] || button.dataset.serverLabel;
      button.title = words[1] || button.dataset.serverTitle;
    }
    const list = document.getElementById("kam-errors");
    if (list) {
      list.setAttribute("aria-label", t("errorList", { count: list.children.length }));
    }
  }

  function show(message, kind) {
    const box = statusBox();
    box.textContent = message;
    box.className = "status " + (kind || "");
  }

  // The error rows a macro wrote (file, sheet, cell, problem), as a list under the status.
  function showErrors(rows) {
    let list = document.getElementById("kam-errors");
    if (!list) {
      list = document.createElement("ol");
      list.id = "kam-errors";
      list.className = "errors";
      statusBox().after(list);
    }
    list.replaceChildren(
      ...rows.map(([file, sheet, cell, problem]) => {
        const item = document.createElement("li");
        const where = document.createElement("span");
        where.className = "where";
        where.textContent = t("where", { file: file || "–", sheet: sheet || "–", cell: cell || "–" });
        item.append(where, document.createTextNode(" " + problem));
        return item;
      }),
    );
    list.hidden = rows.length === 0;
    list.setAttribute("aria-label", t("errorList", { count: rows.length }));
  }

  function setBusy(busy, button) {
    macroButtons().forEach((b) => (b.disabled = busy));
    document.getElementById("kam-macros").setAttribute("aria-busy", busy ? "true" : "false");
    button.classList.toggle("running", busy);
  }

  // Credential (API key or bearer token), kept in this Excel's add-in storage and shared with the functions.
  function credential() {
    try {
      return localStorage.getItem(config.credentialKey) || "";
    } catch (error) {
      return "";
    }
  }

  function saveCredential() {
    const input = document.getElementById("kam-credential");
    const name = credentialName();
    try {
      if (input.value) {
        localStorage.setItem(config.credentialKey, input.value);
        show(t("saved", { credential: name }), "ok");
      } else {
        localStorage.removeItem(config.credentialKey);
        show(t("removed", { credential: name }), "ok");
      }
    } catch (error) {
      show(t("storeFailed", { credential: name, error }), "error");
    }
    input.value = "";
  }

  function requestHeaders() {
    const headers = { "Content-Type": "application/json" };
    const secret = credential();
    if (secret && config.authScheme === "api-key") {
      headers["X-API-Key"] = secret;
    } else if (secret && config.authScheme === "bearer") {
      headers["Authorization"] = "Bearer " + secret;
    }
    return headers;
  }

  const afterBang = (address) => address.split("!").pop();
  let alerts = []; // messages the running macro shows (book.app.alert)
  const listOf = (text) => (text ? text.split(",").map((s) => s.trim()).filter((s) => s) : []);

  // The workbook as xlwings' server side reads it (xw.Book(json=...)).
  async function getBookData(context, include, exclude) {
    const workbook = context.workbook;
    workbook.load("name");
    const worksheets = workbook.worksheets;
    worksheets.load("items/name,items/position");
    const activeSheet = worksheets.getActiveWorksheet();
    activeSheet.load("position");
    const selection = workbook.getSelectedRange();
    selection.load("address");
    const bookNames = workbook.names;
    bookNames.load("items/name,items/type");
    await context.sync();

    const wanted = (name) => (include.length > 0 ? include.includes(name) : !exclude.includes(name));
    const withCategories = Office.context.requirements.isSetSupported("ExcelApi", "1.12");
    const loaders = worksheets.items.map((sheet) => {
      const loader = { sheet, wanted: wanted(sheet.name) };
      if (loader.wanted) {
        loader.lastCell = sheet.getUsedRange().getLastCell();
        loader.lastCell.load("address");
        loader.names = sheet.names;
        loader.names.load("items/name,items/type");
        loader.tables = sheet.tables;
        loader.tables.load("items/name,items/showHeaders,items/showTotals,items/style,items/showFilterButton");
      }
      return loader;
    });
    const names = [];
    for (const item of bookNames.items) {
      if (item.type === "Range") {
        const range = item.getRange();
        range.load("address");
        range.worksheet.load("position");
        names.push({ item, range, scope: null });
      }
    }
    await context.sync();

    for (const loader of loaders) {
      if (!loader.wanted) {
        continue;
      }
      loader.range = loader.sheet.getRange("A1:" + afterBang(loader.lastCell.address));
      loader.range.load(withCategories ? "values,numberFormatCategories" : "values");
      for (const item of loader.names.items) {
        if (item.type === "Range") {
          const range = item.getRange();
          range.load("address");
          range.worksheet.load("position");
          names.push({ item, range, scope: loader.sheet });
        }
      }
      loader.tableRanges = loader.tables.items.map((table) => {
        const ranges = {
          table,
          range: table.getRange().load("address"),
          body: table.getDataBodyRange().load("address"),
          header: table.showHeaders ? table.getHeaderRowRange().load("address") : null,
          total: table.showTotals ? table.getTotalRowRange().load("address") : null,
        };
        return ranges;
      });
    }
    await context.sync();

    const sheets = loaders.map((loader) => {
      if (!loader.wanted) {
        return { name: loader.sheet.name, values: [[]], pictures: [], tables: [] };
      }
      const values = loader.range.values;
      if (withCategories) {
        const categories = loader.range.numberFormatCategories;
        values.forEach((row, r) =>
          row.forEach((value, c) => {
            const category = String(categories[r][c]);
            if ((category === "Date" || category === "Time") && typeof value === "number") {
              row[c] = new Date(Math.round((value - 25569) * 86400 * 1000)).toISOString();
            }
          }),
        );
      }
      const tables = loader.tableRanges.map((t) => ({
        name: t.table.name,
        range_address: afterBang(t.range.address),
        header_row_range_address: t.header ? afterBang(t.header.address) : null,
        data_body_range_address: afterBang(t.body.address),
        total_row_range_address: t.total ? afterBang(t.total.address) : null,
        show_headers: t.table.showHeaders,
        show_totals: t.table.showTotals,
        table_style: t.table.style,
        show_autofilter: t.table.showFilterButton,
      }));
      return { name: loader.sheet.name, values, pictures: [], tables };
    });

    return {
      client: "Office.js",
      version: config.version,
      book: {
        name: workbook.name,
        active_sheet_index: activeSheet.position,
        selection: afterBang(selection.address),
      },
      names: names.map((n) => ({
        name: n.item.name,
        sheet_index: n.range.worksheet.position,
        address: afterBang(n.range.address),
        scope_sheet_name: n.scope ? n.scope.name : null,
        scope_sheet_index: n.scope ? n.scope.position : null,
        book_scope: n.scope === null,
      })),
      sheets,
    };
  }

  // Actions sent back by xlwings (xw.Book(json=...).json()["actions"]).
  async function sheetAt(context, position) {
    const sheets = context.workbook.worksheets;
    sheets.load("items");
    await context.sync();
    return sheets.items[position];
  }

  async function rangeOf(context, action) {
    const sheet = await sheetAt(context, action.sheet_position);
    return sheet.getRangeByIndexes(action.start_row, action.start_column, action.row_count, action.column_count);
  }

  const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

  function cellValue(value) {
    if (typeof value === "string") {
      const m = ISO_DATE.exec(value);
      if (m) {
        const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
        return { value: ms / 86400000 + 25569, format: m[4] ? "yyyy-mm-dd hh:mm:ss" : "yyyy-mm-dd" };
      }
      if (/^[=+\-@]/.test(value)) {
        return { value: "'" + value, format: null };
      }
    }
    return { value: value === null ? "" : value, format: null };
  }

  const actions = {
    async setValues(context, action) {
      const range = await rangeOf(context, action);
      const cells = action.values.map((row) => row.map(cellValue));
      range.values = cells.map((row) => row.map((c) => c.value));
      if (cells.some((row) => row.some((c) => c.format))) {
        range.numberFormat = cells.map((row) => row.map((c) => c.format));
      }
    },
    async setFormula(context, action) {
      (await rangeOf(context, action)).formulas = action.values;
    },
    async rangeClearContents(context, action) {
      (await rangeOf(context, action)).clear(Excel.ClearApplyTo.contents);
    },
    async rangeClearFormats(context, action) {
      (await rangeOf(context, action)).clear(Excel.ClearApplyTo.formats);
    },
    async rangeClear(context, action) {
      (await rangeOf(context, action)).clear();
    },
    async setNumberFormat(context, action) {
      const range = await rangeOf(context, action);
      range.numberFormat = Array.from({ length: action.row_count }, () =>
        Array.from({ length: action.column_count }, () => action.args[0]),
      );
    },
    async setRangeColor(context, action) {
      const range = await rangeOf(context, action);
      if (action.args[0]) {
        range.format.fill.color = action.args[0];
      } else {
        range.format.fill.clear();
      }
    },
    async setWrapText(context, action) {
      (await rangeOf(context, action)).format.wrapText = Boolean(action.args[0]);
    },
    async setColumnWidth(context, action) {
      (await rangeOf(context, action)).format.columnWidth = action.args[0];
    },
    async setAutofit(context, action) {
      const range = await rangeOf(context, action);
      if (action.args[0] === "rows") {
        range.format.autofitRows();
      } else {
        range.format.autofitColumns();
      }
    },
    async setSheetAutofit(context, action) {
      const range = (await sheetAt(context, action.sheet_position)).getRange();
      if (action.args[0] === "rows") {
        range.format.autofitRows();
      } else {
        range.format.autofitColumns();
      }
    },
    async rangeSelect(context, action) {
      (await rangeOf(context, action)).select();
    },
    async addSheet(context, action) {
      const sheet = context.workbook.worksheets.add(action.args[1] || undefined);
      sheet.position = action.args[0];
      sheet.activate();
    },
    async setSheetName(context, action) {
      (await sheetAt(context, action.sheet_position)).name = action.args[0];
    },
    async activateSheet(context, action) {
      (await sheetAt(context, action.args[0])).activate();
    },
    async sheetDelete(context, action) {
      (await sheetAt(context, action.sheet_position)).delete();
    },
    async sheetClear(context, action) {
      (await sheetAt(context, action.sheet_position)).getRange().clear();
    },
    async sheetClearContents(context, action) {
      (await sheetAt(context, action.sheet_position)).getRange().clear(Excel.ClearApplyTo.contents);
    },
    async sheetClearFormats(context, action) {
      (await sheetAt(context, action.sheet_position)).getRange().clear(Excel.ClearApplyTo.formats);
    },
    async namesAdd(context, action) {
      const owner =
        action.sheet_position === null || action.sheet_position === undefined
          ? context.workbook
          : await sheetAt(context, action.sheet_position);
      owner.names.add(action.args[0], action.args[1]);
    },
    async alert(context, action) {
      const [prompt, title] = action.args;
      alerts.push(title ? `${title}: ${prompt}` : prompt);
    },
  };

  async function runActions(context, payload) {
    const unknown = payload.actions.map((a) => a.func).filter((f) => !(f in actions));
    if (unknown.length > 0) {
      throw new Error(`the macro asks for ${[...new Set(unknown)].join(", ")}, which this task pane cannot do`);
    }
    for (const action of payload.actions) {
      await actions[action.func](context, action);
      await context.sync();
    }
    return payload.actions.length;
  }

  // A1 address ("A18:D67", "B14") → 0-based first and last row and column.
  function cellsOf(address) {
    const [first, last] = afterBang(address).replace(/\$/g, "").split(":");
    const at = (cell) => {
      const m = /^([A-Z]+)(\d+)$/.exec(cell);
      const column = [...m[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
      return [Number(m[2]) - 1, column - 1];
    };
    const [r0, c0] = at(first);
    const [r1, c1] = at(last || first);
    return { r0, c0, r1, c1 };
  }

  // The book-scoped name `name` of a posted workbook: its sheet position and cells, or null.
  function namedCells(payload, name) {
    const found = payload.names.find((n) => n.book_scope && n.name === name);
    return found ? { sheet: found.sheet_index, ...cellsOf(found.address) } : null;
  }

  // What a macro wrote into ctl_status and ctl_errors (kam_xl's controller workbooks), read from its actions.
  function reportOf(payload, written) {
    const report = { status: null, errors: [] };
    const status = namedCells(payload, "ctl_status");
    const errors = namedCells(payload, "ctl_errors");
    const shown = (value) => (typeof value === "string" ? value.replace(/^'(?=[=+\-@])/, "") : String(value));
    for (const action of written) {
      if (action.func !== "setValues") {
        continue;
      }
      const inside = (at) => at && action.sheet_position === at.sheet && action.start_row >= at.r0 &&
        action.start_row <= at.r1 && action.start_column >= at.c0 && action.start_column <= at.c1;
      if (inside(status)) {
        report.status = shown(action.values[0][0]);
      } else if (inside(errors)) {
        const rows = action.values.slice(0, errors.r1 - action.start_row + 1);
        report.errors.push(...rows.filter((r) => r.some((v) => v !== "" && v !== null)).map((r) => r.map(shown)));
      }
    }
    return report;
  }

  class ServerError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
      this.detail = detail;
    }
  }

  async function postScript(name, payload) {
    const response = await fetch(config.scriptUrl + encodeURIComponent(name), {
      method: "POST",
      headers: requestHeaders(),
      body: JSON.stringify(payload),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      throw new ServerError(response.status, data && data.error ? data.error : response.statusText);
    }
    return data;
  }

  // A failed run as the user reads it: what went wrong and what to do.
  function failureText(label, error) {
    if (error instanceof ServerError) {
      if (error.status === 401) {
        return t(credential() ? "rejected" : "missingCredential", { label, credential: credentialName() });
      }
      const key = error.status === 413 ? "tooLarge" : "serverError";
      return t(key, { label, status: error.status, detail: error.detail });
    }
    if (error instanceof TypeError && /fetch/i.test(error.message)) {
      return t("unreachable", { label, detail: error.message });
    }
    return t("failed", { label, detail: error.message || error });
  }

  async function runScript(button) {
    const name = button.dataset.script;
    const label = button.textContent;
    setBusy(true, button);
    show(t("running", { label }), "busy");
    showErrors([]);
    try {
      await Excel.run(async (context) => {
        const payload = await getBookData(context, listOf(button.dataset.include), listOf(button.dataset.exclude));
        const data = await postScript(name, payload);
        alerts = [];
        const count = await runActions(context, data);
        const report = reportOf(payload, data.actions);
        const lines = [t("done", { label, count }), ...(report.status ? [report.status] : []), ...alerts];
        show(lines.join("\n"), report.errors.length > 0 ? "error" : "ok");
        showErrors(report.errors);
      });
    } catch (error) {
      show(failureText(label, error), "error");
    } finally {
      setBusy(false, button);
      button.focus();
    }
  }

  // The workbook's language from its defined name meta_lang (kam_xl's workbooks), or null.
  async function workbookLanguage() {
    try {
      return await Excel.run(async (context) => {
        const item = context.workbook.names.getItemOrNullObject("meta_lang");
        await context.sync();
        if (item.isNullObject) {
          return null;
        }
        const range = item.getRange();
        range.load("values");
        await context.sync();
        const value = String(range.values[0][0]).trim().toLowerCase();
        return value in TEXT ? value : null;
      });
    } catch (error) {
      console.warn("kam_xl: could not read the workbook's language (meta_lang)", error);
      return null;
    }
  }

  async function init() {
    macroButtons().forEach((button) => button.addEventListener("click", () => runScript(button)));
    const save = document.getElementById("kam-credential-save");
    if (save) {
      save.addEventListener("click", saveCredential);
    }
    applyLanguage((await workbookLanguage()) || "de");
    if (save && !statusBox().textContent) {
      show(t(credential() ? "stored" : "enter", { credential: credentialName() }));
    }
  }

  // For tests and for other scripts of the page: the workbook reader, the action writer and the report reader.
  globalThis.kamXlTaskpane = { getBookData, runActions, runScript, reportOf, applyLanguage };

  // The macros kam_xl knows in the order a controller uses them (validate, refresh one, generate all,
  // collect), the server's others after them.
  function orderButtons() {
    const known = Object.keys(MACROS);
    const rank = (button) => (known.includes(button.dataset.script) ? known.indexOf(button.dataset.script) : known.length);
    const buttons = macroButtons();
    const sorted = [...buttons].sort((a, b) => rank(a) - rank(b));
    if (buttons.length > 0) {
      const after = buttons[buttons.length - 1].nextSibling;
      sorted.forEach((button) => button.parentNode.insertBefore(button, after));
    }
  }

  orderButtons();
  applyLanguage("de"); // German from the first paint; the workbook's language once Office is ready
  Office.onReady(() => {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  });
})();
