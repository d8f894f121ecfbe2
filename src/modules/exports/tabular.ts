import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { Spool, SpoolFile } from '../../crypto/spool.js';
import { AppError } from '../../errors.js';
import { loadExcelJs } from './exceljs.js';
import { preferenceRanges } from '../../http/preference.js';

/*
 * Tabular exports (CSV and XLSX) for results, applications and reports. Both writers take an
 * async source of rows and stream: a drive with 200,000 applications is never held in memory.
 * exceljs is barely maintained, so it stays behind this file's small interface, and is loaded on
 * the first XLSX (./exceljs.ts).
 */

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type TabularFormat = 'csv' | 'xlsx';

export type ColumnKind = 'text' | 'int' | 'decimal';
export type Column<R> = { header: string; kind?: ColumnKind; width?: number; value: (row: R) => string | number | null | undefined };

/**
 * Spreadsheet formula injection: a cell that starts with = + - @ (or tab / carriage return, which
 * some spreadsheet programs strip before evaluating) is prefixed with a single quote, so Excel and
 * LibreOffice show it as text instead of running it (OWASP "CSV injection"). Leading spaces and
 * quotes before the sign do not make it safe (`"=1+1` and ` =1+1` are escaped too).
 */
export function escapeFormula(value: string): string {
  return /^[\s"]*[=+\-@]|^[\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The same for a CSV cell, and for every `;`-separated piece of it. Excel opens a CSV with the
 * list separator of the Windows locale, which is `;` in Vietnam: such an Excel reads our commas as
 * text and splits at every `;`, quoted or not (after a cell's closing quote the rest of the line is
 * read unquoted), so `a;=1+1` inside one quoted field becomes a cell `=1+1`. Each piece that would
 * start a formula gets the quote after its `;` (`a;'=1+1`): the text stays readable, and no split
 * of the line can start a formula. A line break inside a field is treated the same way (read
 * unquoted, it starts a new row). Commas need nothing: an Excel splitting at commas honours the quotes.
 */
export function escapeCsvText(value: string): string {
  return escapeFormula(value).replace(/([;\r\n])(?=[\s"]*[=+\-@])/g, "$1'");
}

/** A number the service wrote (a count, a score, a negative figure) stays a number Excel can sum. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

const cellText = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : escapeFormula(String(v)));

function csvCell(kind: ColumnKind | undefined, v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const text = String(v);
  if ((kind === 'int' || kind === 'decimal') && PLAIN_NUMBER.test(text)) return text;
  return escapeCsvText(text);
}

/** Parses an Accept header into media ranges ordered by preference (RFC 9110 §12.5.1). */
function mediaRanges(accept: string): { type: string; q: number; index: number }[] {
  return preferenceRanges(accept).map(({ value, q, index }) => ({ type: value, q, index }));
}

function matches(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  return range.endsWith('/*') && type.startsWith(range.slice(0, -1));
}

/**
 * Chooses the representation for an Accept header among `offered` (first = default when the
 * client does not say). Returns null when nothing offered is acceptable.
 */
export function negotiate<T extends string>(accept: string | undefined, offered: readonly { type: string; value: T }[]): T | null {
  if (!accept || accept.trim() === '') return offered[0]?.value ?? null;
  for (const range of mediaRanges(accept)) {
    const hit = offered.find((o) => matches(range.type, o.type));
    if (hit) return hit.value;
  }
  return null;
}

export const notAcceptable = (offered: readonly string[]) =>
  new AppError(406, 'request.not_acceptable', `This endpoint answers with ${offered.join(' or ')}; set Accept to one of them`, {
    offered: [...offered],
  });

/** The export representation asked for (CSV when the client does not say), else 406. */
export function exportFormat(accept: string | undefined): TabularFormat {
  const format = negotiate<TabularFormat>(accept, [
    { type: CSV_TYPE, value: 'csv' },
    { type: XLSX_TYPE, value: 'xlsx' },
  ]);
  if (!format) throw notAcceptable([CSV_TYPE, XLSX_TYPE]);
  return format;
}

/** Content-Type and Content-Disposition for a download (RFC 6266, with an ASCII fallback name). */
export function downloadHeaders(format: TabularFormat, baseName: string): Record<string, string> {
  const safe = baseName.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9._-]+/g, '-');
  const file = `${safe}.${format}`;
  return {
    'content-type': format === 'csv' ? `${CSV_TYPE}; charset=utf-8` : XLSX_TYPE,
    'content-disposition': `attachment; filename="${file}"; filename*=UTF-8''${encodeURIComponent(file)}`,
    'cache-control': 'no-store',
  };
}

/**
 * CSV: UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), header row, CRLF, every
 * field quoted (an Excel splitting at commas then never splits inside one; for `;` see escapeCsvText).
 */
function csvStream<R>(columns: readonly Column<R>[], rows: AsyncIterable<R>, out: Writable): Promise<void> {
  const stringifier = stringify({
    bom: true,
    record_delimiter: 'windows',
    header: true,
    quoted: true,
    quoted_empty: true,
    columns: columns.map((c) => escapeCsvText(c.header)),
  });
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) yield columns.map((c) => csvCell(c.kind, c.value(row)));
    })(),
    { objectMode: true },
  );
  return pipeline(records, stringifier, out);
}

/** XLSX through exceljs' streaming writer: rows are committed as they come. */
async function xlsxStream<R>(columns: readonly Column<R>[], rows: AsyncIterable<R>, out: Writable, sheetName: string): Promise<void> {
  const ExcelJS = await loadExcelJs();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31).replace(/[[\]*?:/\\]/g, ' '), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({
    key: String(i),
    width: c.width ?? Math.min(Math.max(c.header.length + 2, 10), 40),
    ...(c.kind === 'decimal' ? { style: { numFmt: '0.00' } } : {}),
  }));
  const header = sheet.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  for await (const row of rows) {
    sheet
      .addRow(
        columns.map((c) => {
          const v = c.value(row);
          if (v === null || v === undefined || v === '') return null;
          // Counts and scores go in as numbers so the office can sum them; text is escaped.
          if (c.kind === 'int' || c.kind === 'decimal') {
            const n = Number(v);
            return Number.isFinite(n) ? n : cellText(v);
          }
          return cellText(v);
        }),
      )
      .commit();
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * A readable stream of the export. Errors while producing rows destroy the stream (the client sees
 * a cut download, and the error is logged), since headers are already sent by then.
 */
export function tabularStream<R>(
  format: TabularFormat,
  columns: readonly Column<R>[],
  rows: AsyncIterable<R>,
  opts: { sheetName: string; onError?: (err: unknown) => void },
): Readable {
  const out = new PassThrough();
  const done = format === 'csv' ? csvStream(columns, rows, out) : xlsxStream(columns, rows, out, opts.sheetName);
  done.catch((err: unknown) => {
    opts.onError?.(err);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}

/**
 * Writes a whole export into a new spool file (encrypted, src/crypto/spool.ts) as fast as the rows
 * come, and returns it to be sent. The rows' database connection and the writer's memory are then
 * held for the time the database takes, never for the time a slow client takes to read.
 */
export async function spoolTabular<R>(
  spool: Spool,
  format: TabularFormat,
  data: { sheetName: string; columns: readonly Column<R>[]; rows: AsyncIterable<R> },
): Promise<SpoolFile> {
  const writer = spool.create();
  try {
    if (format === 'csv') await csvStream(data.columns, data.rows, writer.input);
    else await xlsxStream(data.columns, data.rows, writer.input, data.sheetName);
    return await writer.close();
  } catch (err) {
    await writer.discard();
    throw err;
  }
}

/** Rows of an in-memory table (reports are a few hundred rows at most) as an async source. */
export async function* fromArray<R>(rows: readonly R[]): AsyncIterable<R> {
  yield* rows;
}

/** Minimal reply surface used to send a download (keeps this file free of Fastify types). */
type DownloadReply = { headers(h: Record<string, string>): unknown; send(payload: unknown): unknown };

/** Sends a tabular export as a streamed download. */
export function sendTabular<R, Rep extends DownloadReply>(
  reply: Rep,
  format: TabularFormat,
  data: { baseName: string; sheetName: string; columns: readonly Column<R>[]; rows: AsyncIterable<R> },
  onError: (err: unknown) => void,
): Rep {
  reply.headers(downloadHeaders(format, data.baseName));
  reply.send(tabularStream(format, data.columns, data.rows, { sheetName: data.sheetName, onError }));
  return reply;
}

/** OpenAPI `content` entries for the two download media types. */
export const downloadContent = {
  [CSV_TYPE]: {
    schema: z
      .string()
      .describe(
        'CSV, UTF-8 with a byte-order mark, header row, CRLF, every field quoted; text cells starting with = + - @ (or tab, CR), and ' +
          'every `;`-separated piece of a cell that would, get a single quote \' before it (numbers the service writes stay numbers)',
      ),
  },
  [XLSX_TYPE]: { schema: z.string().describe('Excel workbook (Office Open XML), one sheet, header row') },
};
