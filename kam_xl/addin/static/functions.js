// kam_xl custom functions for Excel (Office.js), served by `kam-xl serve` at /xlwings/custom-functions-code.
//
// The server puts `globalThis.KAM_XL_CONFIG = {...}` before this code and one CustomFunctions.associate(...) per
// function after it. Each function call is one POST to the server with the JSON body that xlwings' server
// side expects: func_name, args (every argument as a 2-D array, as Excel passes ranges), caller_address,
// culture_info_name (e.g. "de-DE") and date_format (e.g. "TT.MM.JJJJ") of this Excel, the xlwings version
// and the custom functions runtime version. The add-in runs in a shared runtime: the credential typed into
// the task pane (localStorage) is the one sent here.
"use strict";

// Guarded: the task pane page and Excel may both load this script into the one shared runtime.
globalThis.kamXlFunctions = globalThis.kamXlFunctions || (() => {
  const config = globalThis.KAM_XL_CONFIG; // {callUrl, version, authScheme: "api-key" | "bearer" | "none", credentialKey}
  let runtime = "1.1";
  let excelInfo = null;

  if (typeof Office !== "undefined") {
    Office.onReady(() => {
      for (const version of ["1.4", "1.3", "1.2"]) {
        if (Office.context.requirements.isSetSupported("CustomFunctionsRuntime", version)) {
          runtime = version;
          break;
        }
      }
    });
  }

  // Workbook name and regional settings, read once per session.
  async function getExcelInfo() {
    if (excelInfo !== null) {
      return excelInfo;
    }
    const info = { workbook: "", cultureName: null, dateFormat: null };
    try {
      const context = new Excel.RequestContext();
      const workbook = context.workbook;
      workbook.load("name");
      let culture = null;
      let dateTimeFormat = null;
      if (Office.context.requirements.isSetSupported("ExcelApi", "1.12")) {
        culture = context.application.cultureInfo;
        culture.load("name");
        dateTimeFormat = culture.datetimeFormat;
        dateTimeFormat.load("shortDatePattern");
      }
      await context.sync();
      info.workbook = workbook.name;
      if (culture !== null) {
        info.cultureName = culture.name;
        info.dateFormat = dateTimeFormat.shortDatePattern;
      }
    } catch (error) {
      console.warn("kam_xl: could not read the workbook name or regional settings", error);
    }
    excelInfo = info;
    return info;
  }

  function credential() {
    try {
      return localStorage.getItem(config.credentialKey) || "";
    } catch (error) {
      return "";
    }
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

  // What the cell shows when the call fails: Excel's #VALUE! with the message on hover (runtime >= 1.2).
  function failure(message) {
    const text = String(message).slice(0, 255);
    if (typeof CustomFunctions !== "undefined" && CustomFunctions.Error && runtime !== "1.1") {
      return new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidValue, text);
    }
    return new Error(text);
  }

  async function call(funcName, argumentsObject) {
    if (typeof Office !== "undefined") {
      await Office.onReady();
    }
    const args = Array.prototype.slice.call(argumentsObject);
    const invocation = args.pop(); // Excel passes the invocation (calling cell) last
    const info = await getExcelInfo();
    const body = {
      client: "Office.js",
      func_name: funcName,
      args: args.map((arg) => (arg === undefined ? null : arg)),
      caller_address: invocation && invocation.address ? `[${info.workbook}]${invocation.address}` : null,
      culture_info_name: info.cultureName,
      date_format: info.dateFormat,
      version: config.version,
      runtime: runtime,
    };
    let response;
    try {
      response = await fetch(config.callUrl, {
        method: "POST",
        headers: requestHeaders(),
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw failure(`kam_xl server not reachable: ${error}`);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      const message = data && data.error ? data.error : response.statusText;
      throw failure(`kam_xl server ${response.status}: ${message}`);
    }
    return data.result;
  }

  return { call, requestHeaders, getExcelInfo };
})();
