// A type-only import: erased from the compiled module, so nothing of exceljs loads with this file.
import type ExcelJsModule from 'exceljs';

/*
 * exceljs is loaded only when a workbook is written or read: it pulls 169 of the service's 328
 * production packages and costs ~36 MiB and ~1.4 s when loaded at start (docs/STACK-NOTES; issue 19,
 * item 4). A server that never sees an XLSX never loads it. It is barely maintained: only
 * src/modules/exports/tabular.ts (writing) and src/modules/applications/applications.xlsx.ts
 * (reading) use it, each behind its own small interface.
 */
export type ExcelJs = typeof ExcelJsModule;

let loading: Promise<ExcelJs> | undefined;

export function loadExcelJs(): Promise<ExcelJs> {
  // exceljs is CommonJS: its module.exports is the ES module's default export.
  loading ??= import('exceljs').then((m) => m.default);
  return loading;
}
