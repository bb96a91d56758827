// A stand-in of the Office.js surface the kam_xl add-in pages use (task pane and custom functions), for the
// browser tests: tests/test_browser.py answers the request for Microsoft's office.js with this file, after
//
//     globalThis.KAM_STAND_IN = {book, culture, shortDatePattern, sets}
//
// where `book` is the workbook as tests/officejs_book.py models it — the very body xlwings' Office.js client
// posts for the file (sheets with values from A1 to the last used cell, dates as ISO texts, defined names,
// tables). The stand-in turns it back into what Excel holds: date texts become serial numbers of the number
// format category "Date", everything else stays as it is.
//
// Like Office.js, a property is readable only after load(...) and context.sync() (else PropertyNotLoaded), a
// values array must fit the range it is written to, and a text written as a value is a formula when it starts
// with "=" and plain text (without the apostrophe) when it starts with "'". What the pages write goes into
// the model; tests read it back through globalThis.KamStandIn (cell values, formulas, the calls made).
"use strict";

(() => {
  const setup = globalThis.KAM_STAND_IN;
  const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
  const pending = []; // [object, property] loads waiting for the next sync
  const log = []; // everything written that is not a cell value: formats, fills, selections, …

  // ----------------------------------------------------------------------------------------------- model
  function cellFrom(value) {
    if (typeof value === "string" && ISO_DATE.test(value)) {
      return { value: Date.parse(value) / 86400000 + 25569, category: "Date", format: "yyyy-mm-dd", formula: null };
    }
    return { value, category: "General", format: "General", formula: null };
  }
  const emptyCell = () => ({ value: "", category: "General", format: "General", formula: null });

  const model = setup.book.sheets.map((sheet) => ({
    name: sheet.name,
    rows: sheet.values.map((row) => row.map(cellFrom)),
    height: sheet.values.length,
    width: Math.max(0, ...sheet.values.map((row) => row.length)),
    tables: sheet.tables,
  }));

  function cellAt(sheet, r, c) {
    while (sheet.rows.length <= r) {
      sheet.rows.push([]);
    }
    const row = sheet.rows[r];
    while (row.length <= c) {
      row.push(emptyCell());
    }
    sheet.height = Math.max(sheet.height, r + 1);
    sheet.width = Math.max(sheet.width, c + 1);
    return row[c];
  }
  const peek = (sheet, r, c) => (sheet.rows[r] && sheet.rows[r][c]) || emptyCell();

  function columnName(c) {
    let name = "";
    for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    }
    return name;
  }
  function parseCell(text) {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(text);
    if (!m) {
      throw new Error(`InvalidArgument: not a cell address: ${text}`);
    }
    return [Number(m[2]) - 1, [...m[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1];
  }
  const quoted = (name) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`);

  // ------------------------------------------------------------------------------------- proxy objects
  class ClientObject {
    constructor() {
      this._loaded = new Set();
    }
    load(spec) {
      for (const part of String(spec || "").split(",").map((s) => s.trim()).filter((s) => s)) {
        pending.push([this, part]);
      }
      return this;
    }
    _need(property) {
      if (!this._loaded.has(property)) {
        throw new Error(`PropertyNotLoaded: The property '${property}' is not available. Before reading the ` +
          `property's value, call the load method on the containing object and call "context.sync()" on the ` +
          `associated request context.`);
      }
    }
    _resolve(property) {
      this._loaded.add(property);
    }
  }

  class Collection extends ClientObject {
    constructor(list) {
      super();
      this._list = list;
    }
    get items() {
      this._need("items");
      return this._list();
    }
    _resolve(property) {
      this._loaded.add("items");
      const [head, rest] = property.split("/");
      if (head === "items" && rest) {
        this._list().forEach((item) => item._resolve(rest));
      }
    }
  }

  class Range extends ClientObject {
    constructor(sheet, r0, c0, rows, columns) {
      super();
      Object.assign(this, { _sheet: sheet, _r0: r0, _c0: c0, _rows: rows, _columns: columns });
      this.worksheet = worksheetOf(sheet);
      const range = this;
      this.format = {
        fill: {
          set color(value) {
            log.push({ what: "fill", address: range._a1(), value });
          },
          clear() {
            log.push({ what: "fill", address: range._a1(), value: null });
          },
        },
        set wrapText(value) {
          log.push({ what: "wrapText", address: range._a1(), value });
        },
        set columnWidth(value) {
          log.push({ what: "columnWidth", address: range._a1(), value });
        },
        autofitRows() {
          log.push({ what: "autofitRows", address: range._a1() });
        },
        autofitColumns() {
          log.push({ what: "autofitColumns", address: range._a1() });
        },
      };
    }
    _a1() {
      const first = columnName(this._c0) + (this._r0 + 1);
      const last = columnName(this._c0 + this._columns - 1) + (this._r0 + this._rows);
      return first === last ? first : `${first}:${last}`;
    }
    _cells(read) {
      return Array.from({ length: this._rows }, (_, r) =>
        Array.from({ length: this._columns }, (__, c) => read(this._r0 + r, this._c0 + c)),
      );
    }
    _fits(values, what) {
      if (!Array.isArray(values) || values.length !== this._rows ||
          values.some((row) => !Array.isArray(row) || row.length !== this._columns)) {
        throw new Error(`InvalidArgument: The number of rows or columns in the input array doesn't match the ` +
          `size or dimensions of the range (${what} for ${this._a1()}, ${this._rows} × ${this._columns}).`);
      }
    }
    get address() {
      this._need("address");
      return `${quoted(this._sheet.name)}!${this._a1()}`;
    }
    get values() {
      this._need("values");
      return this._cells((r, c) => peek(this._sheet, r, c).value);
    }
    set values(values) {
      this._fits(values, "values");
      values.forEach((row, r) =>
        row.forEach((value, c) => {
          const cell = cellAt(this._sheet, this._r0 + r, this._c0 + c);
          if (typeof value === "string" && value.startsWith("=")) {
            Object.assign(cell, { formula: value, value: "" });
          } else {
            const text = typeof value === "string" && value.startsWith("'");
            Object.assign(cell, { formula: null, value: text ? value.slice(1) : value });
          }
        }),
      );
    }
    set formulas(values) {
      this._fits(values, "formulas");
      values.forEach((row, r) =>
        row.forEach((formula, c) => Object.assign(cellAt(this._sheet, this._r0 + r, this._c0 + c), { formula })),
      );
    }
    get numberFormatCategories() {
      this._need("numberFormatCategories");
      return this._cells((r, c) => peek(this._sheet, r, c).category);
    }
    set numberFormat(formats) {
      this._fits(formats, "numberFormat");
      formats.forEach((row, r) =>
        row.forEach((format, c) => {
          if (format !== null) {
            const cell = cellAt(this._sheet, this._r0 + r, this._c0 + c);
            cell.format = format;
            cell.category = /[yd]/i.test(format) ? "Date" : "General";
          }
        }),
      );
    }
    clear(applyTo) {
      this._cells((r, c) => {
        const cell = peek(this._sheet, r, c);
        if (applyTo !== "Formats") {
          Object.assign(cell, { value: "", formula: null });
        }
        if (applyTo !== "Contents") {
          Object.assign(cell, { format: "General", category: "General" });
        }
      });
      log.push({ what: "clear", address: this._a1(), applyTo: applyTo || "All" });
    }
    select() {
      log.push({ what: "select", address: `${this._sheet.name}!${this._a1()}` });
    }
    getLastCell() {
      return new Range(this._sheet, this._r0 + this._rows - 1, this._c0 + this._columns - 1, 1, 1);
    }
  }

  function rangeOfAddress(sheet, address) {
    const [first, last] = address.split("!").pop().split(":");
    const [r0, c0] = parseCell(first);
    const [r1, c1] = parseCell(last || first);
    return new Range(sheet, r0, c0, r1 - r0 + 1, c1 - c0 + 1);
  }

  class NamedItem extends ClientObject {
    constructor(name, sheet, address) {
      super();
      Object.assign(this, { _name: name, _sheet: sheet, _address: address, isNullObject: false });
    }
    get name() {
      this._need("name");
      return this._name;
    }
    get type() {
      this._need("type");
      return "Range";
    }
    getRange() {
      return rangeOfAddress(this._sheet, this._address);
    }
  }

  class NullNamedItem extends ClientObject {
    constructor() {
      super();
      this.isNullObject = true;
    }
  }

  class NamedItems extends Collection {
    constructor() {
      const list = [];
      super(() => list);
      this._all = list;
    }
    getItemOrNullObject(name) {
      const found = this._all.find((item) => item._name.toLowerCase() === String(name).toLowerCase());
      return found || new NullNamedItem();
    }
    add(name, reference) {
      const range = typeof reference === "string" ? rangeOfAddress(sheetByName(reference), reference) : reference;
      this._all.push(new NamedItem(name, range._sheet, range._a1()));
      log.push({ what: "namesAdd", name, address: range._a1() });
    }
  }

  class Table extends ClientObject {
    constructor(sheet, t) {
      super();
      Object.assign(this, { _sheet: sheet, _t: t });
    }
    get name() {
      this._need("name");
      return this._t.name;
    }
    get showHeaders() {
      this._need("showHeaders");
      return this._t.show_headers;
    }
    get showTotals() {
      this._need("showTotals");
      return this._t.show_totals;
    }
    get style() {
      this._need("style");
      return this._t.table_style;
    }
    get showFilterButton() {
      this._need("showFilterButton");
      return this._t.show_autofilter;
    }
    getRange() {
      return rangeOfAddress(this._sheet, this._t.range_address);
    }
    getDataBodyRange() {
      return rangeOfAddress(this._sheet, this._t.data_body_range_address);
    }
    getHeaderRowRange() {
      return rangeOfAddress(this._sheet, this._t.header_row_range_address);
    }
    getTotalRowRange() {
      return rangeOfAddress(this._sheet, this._t.total_row_range_address);
    }
  }

  const worksheets = new Map(); // model sheet → its Worksheet proxy
  function worksheetOf(sheet) {
    if (!worksheets.has(sheet)) {
      worksheets.set(sheet, new Worksheet(sheet));
    }
    return worksheets.get(sheet);
  }
  function sheetByName(address) {
    const name = address.split("!")[0].replace(/^=/, "").replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
    const sheet = model.find((s) => s.name === name);
    if (!sheet) {
      throw new Error(`ItemNotFound: no sheet ${name}`);
    }
    return sheet;
  }

  class Worksheet extends ClientObject {
    constructor(sheet) {
      super();
      this._sheet = sheet;
      this.names = new NamedItems();
      const tables = (sheet.tables || []).map((t) => new Table(sheet, t));
      this.tables = new Collection(() => tables);
    }
    get name() {
      this._need("name");
      return this._sheet.name;
    }
    set name(value) {
      log.push({ what: "rename", from: this._sheet.name, to: value });
      this._sheet.name = value;
    }
    get position() {
      this._need("position");
      return model.indexOf(this._sheet);
    }
    set position(value) {
      model.splice(model.indexOf(this._sheet), 1);
      model.splice(value, 0, this._sheet);
    }
    getUsedRange() {
      const s = this._sheet;
      return new Range(s, 0, 0, Math.max(s.height, 1), Math.max(s.width, 1));
    }
    getRange(address) {
      return address ? rangeOfAddress(this._sheet, address) : this.getUsedRange();
    }
    getRangeByIndexes(row, column, rows, columns) {
      return new Range(this._sheet, row, column, rows, columns);
    }
    activate() {
      state.active = this._sheet;
      log.push({ what: "activate", sheet: this._sheet.name });
    }
    delete() {
      model.splice(model.indexOf(this._sheet), 1);
      log.push({ what: "delete", sheet: this._sheet.name });
    }
  }

  const state = { active: model[setup.book.book.active_sheet_index], selection: setup.book.book.selection };
  const bookNames = new NamedItems();
  for (const n of setup.book.names) {
    const sheet = model[n.sheet_index];
    const owner = n.book_scope ? bookNames : worksheetOf(model[n.scope_sheet_index]).names;
    owner._all.push(new NamedItem(n.name, sheet, n.address));
  }

  class Worksheets extends Collection {
    constructor() {
      super(() => model.map(worksheetOf));
    }
    getActiveWorksheet() {
      return worksheetOf(state.active);
    }
    add(name) {
      const sheet = { name: name || `Tabelle${model.length + 1}`, rows: [], height: 0, width: 0, tables: [] };
      model.push(sheet);
      log.push({ what: "addSheet", sheet: sheet.name });
      return worksheetOf(sheet);
    }
  }

  class Workbook extends ClientObject {
    constructor() {
      super();
      this.worksheets = new Worksheets();
      this.names = bookNames;
    }
    get name() {
      this._need("name");
      return setup.book.book.name;
    }
    getSelectedRange() {
      return rangeOfAddress(state.active, state.selection);
    }
  }

  class CultureInfo extends ClientObject {
    constructor() {
      super();
      const format = new ClientObject();
      Object.defineProperty(format, "shortDatePattern", {
        get() {
          format._need("shortDatePattern");
          return setup.shortDatePattern;
        },
      });
      this.datetimeFormat = format;
    }
    get name() {
      this._need("name");
      return setup.culture;
    }
  }

  const workbook = new Workbook();
  const application = { cultureInfo: new CultureInfo() };
  const calls = { runs: 0, finished: 0, syncs: 0 }; // Excel.run started, ended; syncs

  class RequestContext {
    constructor() {
      this.workbook = workbook;
      this.application = application;
    }
    async sync() {
      calls.syncs += 1;
      await new Promise((resolve) => setTimeout(resolve, 0)); // a round trip to Excel
      for (const [object, property] of pending.splice(0)) {
        object._resolve(property);
      }
    }
  }

  // ----------------------------------------------------------------------------------- the globals
  const sets = setup.sets || {};
  const newer = (have, want) => {
    const [a, b] = [have, want].map((v) => String(v).split(".").map(Number));
    return a[0] > b[0] || (a[0] === b[0] && (a[1] || 0) >= (b[1] || 0));
  };
  const ready = new Promise((resolve) => setTimeout(() => resolve({ host: "Excel", platform: "OfficeOnline" }), 0));

  globalThis.Office = {
    onReady(callback) {
      return ready.then((info) => (callback ? callback(info) : info));
    },
    context: {
      displayLanguage: setup.culture,
      requirements: { isSetSupported: (set, version) => set in sets && newer(sets[set], version || "1.1") },
    },
  };

  globalThis.Excel = {
    RequestContext,
    ClearApplyTo: { all: "All", contents: "Contents", formats: "Formats" },
    async run(batch) {
      calls.runs += 1;
      try {
        const context = new RequestContext();
        const result = await batch(context);
        await context.sync();
        return result;
      } finally {
        calls.finished += 1;
      }
    },
  };

  const functions = {};
  class CustomFunctionError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }
  globalThis.CustomFunctions = {
    associate(id, implementation) {
      functions[id] = implementation;
    },
    Error: CustomFunctionError,
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!" },
  };

  // What the tests read back.
  globalThis.KamStandIn = {
    functions,
    calls,
    log,
    sheetNames: () => model.map((s) => s.name),
    // The value Excel shows in `address` ("Einstellungen!B14"), a formula as its text.
    cell(address) {
      const sheet = sheetByName(address);
      const [r, c] = parseCell(address.split("!").pop());
      const cell = peek(sheet, r, c);
      return cell.formula !== null ? cell.formula : cell.value;
    },
    // The values of a block ("Einstellungen!A18:D22").
    block(address) {
      const range = rangeOfAddress(sheetByName(address), address);
      return range._cells((r, c) => peek(range._sheet, r, c).value);
    },
    // Every cell that holds a formula: ["Sheet!A1", "=…"].
    formulas() {
      const out = [];
      for (const sheet of model) {
        sheet.rows.forEach((row, r) =>
          row.forEach((cell, c) => cell.formula !== null && out.push([`${sheet.name}!${columnName(c)}${r + 1}`,
                                                                      cell.formula])),
        );
      }
      return out;
    },
  };
})();
