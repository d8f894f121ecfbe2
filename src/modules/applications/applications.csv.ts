import { CsvError, parse, type Options } from 'csv-parse';
import type { SpoolFile } from '../../crypto/spool.js';
import { AppError } from '../../errors.js';
import { importColumn } from './applications.columns.js';
import { IMPORT_COLUMNS, REQUIRED_IMPORT_COLUMNS } from './applications.schemas.js';

/* CSV import bodies, parsed from their spool file (applications.body.ts: already checked to be UTF-8). */

/** The file's bytes through `parser`; a read failure fails the parser (a bare pipe() would leave it waiting). */
function parsed<T extends NodeJS.ReadWriteStream & { destroy(err?: Error): unknown }>(file: SpoolFile, parser: T): T {
  const source = file.read();
  source.once('error', (err) => parser.destroy(err));
  return source.pipe(parser);
}

/** Excel saves CSV with the locale's list separator: ',' or ';' (Vietnamese locale). Chosen from the header row. */
async function detectDelimiter(file: SpoolFile): Promise<string> {
  const stream = file.read({ encoding: 'utf8' });
  let head = '';
  try {
    for await (const chunk of stream) {
      head += chunk as string;
      if (head.length >= 4096 || head.includes('\n')) break;
    }
  } finally {
    stream.destroy();
  }
  const header = head.split(/\r?\n/)[0] ?? '';
  const count = (c: string) => header.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

const csvOptions = (delimiter: string, onHeader?: (h: string[]) => void): Options => ({
  bom: true,
  delimiter,
  // English field names or the export's Vietnamese headers (applications.columns.ts); export-only columns are skipped (false).
  columns: (header: string[]) => {
    const names = header.map(importColumn);
    onHeader?.(names.filter((n): n is string => n !== null));
    return names.map((n) => n ?? false);
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

/** The header's import fields (export-only columns already left out) against the columns the import knows. */
export function checkHeader(names: string[]): void {
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
export async function inspectCsv(file: SpoolFile): Promise<{ delimiter: string; rows: number }> {
  const delimiter = await detectDelimiter(file);
  let rows = 0;
  let sawHeader = false;
  try {
    const parser = parsed(
      file,
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
export function csvRows(file: SpoolFile, delimiter: string): AsyncIterable<Record<string, string>> {
  return parsed(file, parse(csvOptions(delimiter)));
}
