import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import type { SpoolFile } from '../../crypto/spool.js';
import { AppError } from '../../errors.js';
import { loadExcelJs } from '../exports/exceljs.js';
import { importColumn } from './applications.columns.js';
import { checkHeader } from './applications.csv.js';
import { BLANK_ROW } from './applications.import.js';
import { IMPORT_COLUMNS } from './applications.schemas.js';

/*
 * XLSX import bodies (Office Open XML workbooks, as Excel saves them), read from their spool file.
 * The first worksheet is read: its first row is the header (English field names or the export's
 * Vietnamese headers, applications.columns.ts), every later row a data row numbered as Excel shows it.
 *
 * A workbook is a zip archive: before any XML is parsed, every entry is inflated once with its bytes
 * counted (a zip bomb, or an entry larger than its directory says, is refused: 422
 * import.xlsx_too_large / 400 import.malformed_xlsx). The XML is then parsed as a stream
 * (WorksheetRows below; exceljs today, loaded on the first XLSX: src/modules/exports/exceljs.ts).
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One row of a worksheet: its number as Excel shows it and its cells (index 0 = column A), as values the reader gives. */
export type SheetRow = { number: number; cells: unknown[] };
/** The interface the import needs from a spreadsheet library: the first worksheet's rows, in order, blank rows left out. */
export type WorksheetRows = (file: SpoolFile) => AsyncIterable<SheetRow>;

const malformed = (detail: string) => new AppError(400, 'import.malformed_xlsx', `The workbook cannot be read: ${detail}`);
const tooLarge = (detail: string) => new AppError(422, 'import.xlsx_too_large', detail);

/** Expanded bytes allowed: a spreadsheet's XML deflates about 5–20 times; 100 times the file (plus 16 MiB) is generous. */
const EXPANSION_FACTOR = 100;
const EXPANSION_SLACK = 16 * 1_048_576;
/** The shared strings are held in memory while the sheet is read. */
const MAX_SHARED_STRINGS_BYTES = 128 * 1_048_576;
/** The directory of a workbook is a few kilobytes; the end record's comment at most 64 KiB. */
const TAIL_BYTES = 1_048_576 + 65_557;

type Entry = { name: string; method: number; compressed: number; declared: number; offset: number };

/** Reads the file once, keeping its last TAIL_BYTES, and lists the zip entries from the central directory. */
async function zipEntries(file: SpoolFile): Promise<Entry[]> {
  let tail: Buffer = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of file.read() as AsyncIterable<Buffer>) {
    size += chunk.length;
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > 2 * TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
  }
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0 && i >= tail.length - 65_557; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw malformed('it is not a zip archive (an .xlsx file saved by Excel is one)');
  const count = tail.readUInt16LE(eocd + 10);
  const dirSize = tail.readUInt32LE(eocd + 12);
  const dirOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw malformed('zip64 archives are not read');
  const start = size - tail.length;
  if (dirOffset < start || dirOffset + dirSize > size) throw malformed('the zip directory is damaged or too large');
  const entries: Entry[] = [];
  let p = dirOffset - start;
  for (let n = 0; n < count; n++) {
    if (p + 46 > tail.length || tail.readUInt32LE(p) !== 0x02014b50) throw malformed('the zip directory is damaged');
    const nameLength = tail.readUInt16LE(p + 28);
    const entry: Entry = {
      method: tail.readUInt16LE(p + 10),
      compressed: tail.readUInt32LE(p + 20),
      declared: tail.readUInt32LE(p + 24),
      offset: tail.readUInt32LE(p + 42),
      name: tail.subarray(p + 46, p + 46 + nameLength).toString('utf8'),
    };
    if (entry.method !== 0 && entry.method !== 8) throw malformed(`entry ${entry.name} uses an unsupported compression`);
    if (entry.offset >= size) throw malformed('the zip directory is damaged');
    entries.push(entry);
    p += 46 + nameLength + tail.readUInt16LE(p + 30) + tail.readUInt16LE(p + 32);
  }
  return entries.sort((a, b) => a.offset - b.offset);
}

/** Reads a stream of chunks by position: skip to an offset, take a few bytes, or stream a range. */
function byteReader(source: AsyncIterator<Buffer>) {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0; // file offset of buf[0]
  const more = async () => {
    const next = await source.next();
    if (next.done) throw malformed('the archive ends inside an entry');
    buf = buf.length === 0 ? next.value : Buffer.concat([buf, next.value]);
  };
  return {
    async skipTo(offset: number) {
      if (offset < pos) throw malformed('zip entries overlap');
      while (pos + buf.length < offset) {
        pos += buf.length;
        buf = Buffer.alloc(0);
        await more();
      }
      buf = buf.subarray(offset - pos);
      pos = offset;
    },
    async take(n: number): Promise<Buffer> {
      while (buf.length < n) await more();
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      pos += n;
      return out;
    },
    async *range(n: number): AsyncGenerator<Buffer> {
      let left = n;
      while (left > 0) {
        if (buf.length === 0) await more();
        const piece = buf.subarray(0, left);
        buf = buf.subarray(piece.length);
        pos += piece.length;
        left -= piece.length;
        yield piece;
      }
    },
  };
}

/**
 * Inflates every entry once, counting the bytes it really expands to (the sizes in the directory
 * are only claims): refused when the total passes the budget, when the shared strings (held in
 * memory while rows are read) pass theirs, or when an entry expands beyond its declared size.
 */
async function checkArchive(file: SpoolFile, entries: Entry[], limitBytes: number): Promise<void> {
  const budget = Math.min(EXPANSION_FACTOR * file.bytes + EXPANSION_SLACK, 4 * limitBytes);
  const declared = entries.reduce((s, e) => s + e.declared, 0);
  if (declared > budget) throw tooLarge(`The workbook expands to ${declared} bytes; at most ${budget} are read for a file of this size`);
  const stream = file.read();
  const source = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const reader = byteReader(source);
  let total = 0;
  try {
    for (const e of entries) {
      await reader.skipTo(e.offset);
      const local = await reader.take(30);
      if (local.readUInt32LE(0) !== 0x04034b50) throw malformed(`entry ${e.name} is damaged`);
      await reader.skipTo(e.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28));
      let expanded = 0;
      // A worksheet cut short (a file saved halfway) parses without error up to the cut: its end is checked here.
      const worksheet = /^xl\/worksheets\/[^/]+\.xml$/.test(e.name);
      let end = '';
      const cap = e.name === 'xl/sharedStrings.xml' ? Math.min(e.declared, MAX_SHARED_STRINGS_BYTES) : e.declared;
      if (e.declared > cap) throw tooLarge(`The workbook's shared strings expand to ${e.declared} bytes; at most ${MAX_SHARED_STRINGS_BYTES} are read`);
      const count = new Writable({
        write(chunk: Buffer, _enc, done) {
          expanded += chunk.length;
          if (worksheet) end = (end + chunk.subarray(Math.max(0, chunk.length - 64)).toString('latin1')).slice(-64);
          total += chunk.length;
          if (expanded > cap) done(malformed(`entry ${e.name} expands beyond the size its directory gives`));
          else if (total > budget) done(tooLarge(`The workbook expands to more than ${budget} bytes, the most read for a file of this size`));
          else done();
        },
      });
      const data = Readable.from(reader.range(e.compressed));
      if (e.method === 8) await pipeline(data, createInflateRaw(), count);
      else await pipeline(data, count);
      if (worksheet && !/<\/([A-Za-z_][\w.-]*:)?worksheet>\s*$/.test(end)) throw malformed(`worksheet ${e.name} is cut short`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw malformed(err instanceof Error ? err.message : 'a zip entry is damaged');
  } finally {
    stream.destroy();
  }
}

/** The first worksheet's rows through exceljs' streaming reader (dates as Date when their cells are formatted as dates). */
const exceljsRows: WorksheetRows = async function* (file) {
  const ExcelJS = await loadExcelJs();
  const stream = file.read();
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        const values = (row as { values: unknown[] }).values;
        yield { number: (row as { number: number }).number, cells: Array.from({ length: Math.max(values.length - 1, 0) }, (_, i) => values[i + 1]) };
      }
      return;
    }
  } finally {
    stream.destroy();
  }
};

/** Excel's serial day 25569 is 1970-01-01 (the 1900 date system, after its 1900-02-29). */
const fromSerial = (n: number) => new Date(Math.round((n - 25569) * 86_400_000));
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A cell's value as the text a CSV would give for it (the row schema then reads it as any CSV cell). */
function cellText(field: string, v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : isoDay(v);
  if (typeof v === 'number') {
    // A date cell whose format the reader did not recognise is still a serial day number.
    if (field === 'birthDate' && Number.isFinite(v) && v > 0 && v < 2_958_466) return isoDay(fromSerial(v));
    // Excel drops the leading zeros of a national ID typed as a number (001…): they are put back.
    if (field === 'nationalId' && Number.isInteger(v) && v >= 0 && v < 1e12) return String(v).padStart(12, '0');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellText(field, o.result);
    if (typeof o.text === 'string') return o.text;
    if (o.error !== undefined) return String(o.error);
  }
  return String(v);
}

const isBlank = (cells: unknown[]) => cells.every((c) => c === null || c === undefined || (typeof c === 'string' && c.trim() === ''));

type Parsed = { header: (string | null)[]; headerRow: number; rows: AsyncGenerator<Record<string, string> | typeof BLANK_ROW> };

async function parseSheet(file: SpoolFile, read: WorksheetRows): Promise<Parsed | null> {
  const source = read(file)[Symbol.asyncIterator]();
  let first = await source.next();
  while (!first.done && isBlank(first.value.cells)) first = await source.next();
  if (first.done) {
    await source.return?.(undefined);
    return null;
  }
  const headerRow = first.value.number;
  const header = first.value.cells.map((c) => {
    const text = cellText('', c)?.trim() ?? '';
    // '' for an empty header cell; null for an export-only column (ignored).
    return text === '' ? '' : importColumn(text);
  });
  async function* rows(): AsyncGenerator<Record<string, string> | typeof BLANK_ROW> {
    let expected = headerRow + 1;
    try {
      for (let next = await source.next(); !next.done; next = await source.next()) {
        const { number, cells } = next.value;
        // Rows Excel holds no record of, and rows with nothing in them, keep their numbers.
        for (; expected < number; expected++) yield BLANK_ROW;
        expected = number + 1;
        if (isBlank(cells)) {
          yield BLANK_ROW;
          continue;
        }
        const out: Record<string, string> = {};
        cells.forEach((c, i) => {
          const field = header[i];
          if (field === null || field === undefined || field === '') return;
          const text = cellText(field, c);
          if (text !== undefined) out[field] = text;
        });
        yield out;
      }
    } finally {
      await source.return?.(undefined);
    }
  }
  return { header, headerRow, rows: rows() };
}

function failure(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return malformed(err instanceof Error ? err.message.slice(0, 300) : 'the worksheet XML is broken');
}

/**
 * Checks the whole workbook before anything is written: the archive (sizes really expanded), the
 * header, and every row's XML. Returns the row count and the Excel number of the first data row.
 */
export async function inspectXlsx(file: SpoolFile, opts: { limitBytes: number; read?: WorksheetRows }): Promise<{ rows: number; firstRow: number }> {
  await checkArchive(file, await zipEntries(file), opts.limitBytes);
  let rows = 0;
  let firstRow: number;
  try {
    const sheet = await parseSheet(file, opts.read ?? exceljsRows);
    if (!sheet) throw new AppError(400, 'import.invalid_header', 'The first worksheet is empty: a header row is required', { columns: IMPORT_COLUMNS });
    const gap = sheet.header.findIndex((h, i) => h === '' && sheet.header.slice(i + 1).some((x) => x !== ''));
    if (gap >= 0) {
      throw new AppError(400, 'import.invalid_header', `The header row (row ${sheet.headerRow}) has an empty cell between column names, in column ${gap + 1}`, {
        columns: IMPORT_COLUMNS,
      });
    }
    checkHeader(sheet.header.filter((h): h is string => h !== null && h !== ''));
    firstRow = sheet.headerRow + 1;
    for await (const row of sheet.rows) if (row !== BLANK_ROW) rows++;
  } catch (err) {
    throw failure(err);
  }
  return { rows, firstRow };
}

/** The data rows of an inspected workbook, keyed by import field; BLANK_ROW for a blank row (it keeps its number). */
export async function* xlsxRows(file: SpoolFile, read: WorksheetRows = exceljsRows): AsyncGenerator<Record<string, string> | typeof BLANK_ROW> {
  try {
    const sheet = await parseSheet(file, read);
    if (sheet) yield* sheet.rows;
  } catch (err) {
    throw failure(err);
  }
}
