import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Options } from 'csv-parse';
import { AppError } from '../../errors.js';
import { IMPORT_COLUMNS, REQUIRED_IMPORT_COLUMNS } from './applications.schemas.js';

/*
 * CSV import bodies are streamed to a temporary file while their size is counted and their hash
 * computed (for Idempotency-Key), then parsed from that file: 100,000 rows never sit in memory.
 */

export type SpooledBody = { file: string; hash: string; bytes: number; discard: () => Promise<void> };

export async function spoolBody(body: Readable, limitBytes: number, hashPrefix: string): Promise<SpooledBody> {
  const file = path.join(tmpdir(), `tuyendung-import-${randomUUID()}.csv`);
  const discard = () => rm(file, { force: true });
  const hash = createHash('sha256').update(hashPrefix);
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limitBytes) {
        done(new AppError(413, 'request.too_large', `The import body is larger than ${limitBytes} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await discard();
    body.resume();
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'request.malformed', 'The request body could not be read');
  }
  return { file, hash: hash.digest('hex'), bytes, discard };
}

/** Excel saves CSV with the locale's list separator: ',' or ';' (Vietnamese locale). Chosen from the header row. */
async function detectDelimiter(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const header = buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    const count = (c: string) => header.split(c).length - 1;
    return count(';') > count(',') ? ';' : ',';
  } finally {
    await handle.close();
  }
}

const csvOptions = (delimiter: string, onHeader?: (h: string[]) => void): Options => ({
  bom: true,
  delimiter,
  columns: (header: string[]) => {
    const names = header.map((h) => h.trim());
    onHeader?.(names);
    return names;
  },
  skip_empty_lines: true,
  max_record_size: 64 * 1024,
});

function malformed(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines;
    return new AppError(400, 'import.malformed_csv', `The CSV is malformed${line ? ` near line ${line}` : ''}: ${err.message}`);
  }
  return new AppError(400, 'import.malformed_csv', 'The CSV could not be parsed');
}

function checkHeader(names: string[]): void {
  const known = new Set<string>(IMPORT_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  const duplicated = names.filter((n, i) => names.indexOf(n) !== i);
  const missing = REQUIRED_IMPORT_COLUMNS.filter((c) => !names.includes(c));
  const hasQuota = names.includes('quotaId') || (names.includes('agencyCode') && names.includes('jobPositionCode'));
  if (unknown.length > 0 || duplicated.length > 0 || missing.length > 0 || !hasQuota) {
    throw new AppError(
      400,
      'import.invalid_header',
      [
        unknown.length ? `unknown columns: ${unknown.join(', ')}` : '',
        duplicated.length ? `repeated columns: ${duplicated.join(', ')}` : '',
        missing.length ? `missing columns: ${missing.join(', ')}` : '',
        hasQuota ? '' : 'a quotaId column, or agencyCode and jobPositionCode columns, is required',
      ]
        .filter(Boolean)
        .join('; '),
      { columns: IMPORT_COLUMNS, required: REQUIRED_IMPORT_COLUMNS },
    );
  }
}

/**
 * Checks the whole file before anything is written: the header names and the CSV syntax
 * (a broken quote at row 90,000 must not leave 89,999 rows imported).
 */
export async function inspectCsv(file: string): Promise<{ delimiter: string; rows: number }> {
  const delimiter = await detectDelimiter(file);
  let rows = 0;
  let sawHeader = false;
  try {
    const parser = createReadStream(file).pipe(
      parse(
        csvOptions(delimiter, (names) => {
          sawHeader = true;
          checkHeader(names);
        }),
      ),
    );
    for await (const _ of parser) rows++;
  } catch (err) {
    throw malformed(err);
  }
  if (!sawHeader) throw new AppError(400, 'import.invalid_header', 'The CSV is empty: a header row is required', { columns: IMPORT_COLUMNS });
  return { delimiter, rows };
}

/** The data rows of an inspected file, one object per row keyed by header name. */
export function csvRows(file: string, delimiter: string): AsyncIterable<Record<string, string>> {
  return createReadStream(file).pipe(parse(csvOptions(delimiter)));
}
