// kam_xl task pane: one button per macro (xlwings script) of the `udfs` package, served by `kam-xl serve`.
//
// A click reads the workbook as xlwings' Office.js client does (book name, active sheet, selection, names,
// tables and the values of every sheet from A1 to its last used cell; date cells as ISO texts), posts it to
// /xlwings/custom-scripts-call/<script>, and applies the actions the macro sent back (values written, sheets
// added, …). Text the macro writes never becomes a formula: a text starting with = + - or @ is written with
// Excel's text prefix (an apostrophe).
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("kam-xl-config").textContent);
  const statusBox = () => document.getElementById("kam-status");

  function show(message, kind) {
    const box = statusBox();
    box.textContent = message;
    box.className = "status " + (kind || "");
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
    try {
      if (input.value) {
        localStorage.setItem(config.credentialKey, input.value);
        show("Credential saved for this Excel. Recalculate (Ctrl+Alt+F9) to refresh the KAM functions.", "ok");
      } else {
        localStorage.removeItem(config.credentialKey);
        show("Credential removed.", "ok");
      }
    } catch (error) {
      show(`Could not store the credential: ${error}`, "error");
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

  async function runScript(button) {
    const name = button.dataset.script;
    const buttons = document.querySelectorAll("button[data-script]");
    buttons.forEach((b) => (b.disabled = true));
    show(`${button.textContent}: running …`, "");
    try {
      await Excel.run(async (context) => {
        const payload = await getBookData(context, listOf(button.dataset.include), listOf(button.dataset.exclude));
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
          throw new Error(data && data.error ? data.error : `${response.status} ${response.statusText}`);
        }
        alerts = [];
        const count = await runActions(context, data);
        const done = `${button.textContent}: done (${count} change${count === 1 ? "" : "s"} written).`;
        show([done, ...alerts].join("\n"), "ok");
      });
    } catch (error) {
      show(`${button.textContent}: ${error.message || error}`, "error");
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  function init() {
    document.querySelectorAll("button[data-script]").forEach((button) => {
      button.addEventListener("click", () => runScript(button));
    });
    const save = document.getElementById("kam-credential-save");
    if (save) {
      save.addEventListener("click", saveCredential);
      show(credential() ? "Credential stored for this Excel." : "Enter the credential your administrator gave you.");
    }
  }

  // For tests and for other scripts of the page: the workbook reader and the action writer.
  globalThis.kamXlTaskpane = { getBookData, runActions, runScript };

  Office.onReady(() => {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  });
})();
