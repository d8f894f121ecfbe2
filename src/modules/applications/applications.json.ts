import { JSONParser } from '@streamparser/json';
import type { SpoolFile } from '../../crypto/spool.js';
import { AppError } from '../../errors.js';
import { lonePath } from '../../http/json-body.js';

/*
 * JSON import bodies, parsed from their spool file (applications.body.ts: already checked to be
 * UTF-8) one array element at a time: a body of 190 MB is never one string nor one array in memory
 * (parsed whole, it ran the process out of memory before the row cap was even looked at).
 */

const invalid = (detail: string) => new AppError(400, 'import.invalid_body', detail);
const notAnArray = () => invalid('A JSON import body is an array of row objects');

/**
 * Bytes read without an element being completed. A row of this API is well under 64 KiB; one value
 * larger than this (a 190 MB string) would be gathered whole by the tokenizer, so it is refused.
 */
const MAX_ELEMENT_BYTES = 1_048_576;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The elements of the top-level array, in order; 400 import.invalid_body for any other top level or broken JSON. */
async function* jsonElements(file: SpoolFile): AsyncGenerator<unknown> {
  // keepStack false: elements already handed out are not kept in their parent array.
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let pending: unknown[] = [];
  parser.onValue = ({ value }) => {
    pending.push(value);
  };
  let started = false;
  let sinceElement = 0;
  const stream = file.read();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!started) {
        // The first byte that is not whitespace (nor a UTF-8 byte-order mark, which the tokenizer skips) must open an array.
        let i = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
        while (i < chunk.length && WHITESPACE.has(chunk[i]!)) i++;
        if (i < chunk.length) {
          if (chunk[i] !== 0x5b) throw notAnArray();
          started = true;
        }
      }
      parser.write(chunk);
      if (pending.length > 0) {
        sinceElement = 0;
        const out = pending;
        pending = [];
        yield* out;
      } else if ((sinceElement += chunk.length) > MAX_ELEMENT_BYTES) {
        throw invalid(`A JSON import row is larger than ${MAX_ELEMENT_BYTES} bytes`);
      }
    }
    if (!started) throw notAnArray();
    // The parser ends by itself after the top-level array; unended, the body stopped in the middle.
    if (!parser.isEnded) parser.end();
    yield* pending;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalid(`The JSON body is malformed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    stream.destroy();
  }
}

/**
 * Checks the whole body before anything is written: JSON syntax and the row cap. A body with more
 * rows than `maxRows` is refused as soon as its row maxRows + 1 is read.
 */
export async function inspectJson(file: SpoolFile, maxRows: number): Promise<{ rows: number }> {
  let rows = 0;
  for await (const row of jsonElements(file)) {
    // As for every JSON body (src/http/json-body.ts): a lone surrogate escape parses, but no UTF-8 column can hold it.
    const path = lonePath(row, `/${rows}`);
    if (path !== null) {
      const detail = 'The body holds text that is not valid Unicode (a lone UTF-16 surrogate)';
      throw new AppError(400, 'request.malformed', `${detail} at ${path}`, { errors: [{ path: `body${path.replaceAll('/', '.')}`, message: detail }] });
    }
    if (++rows > maxRows) throw invalid(`A JSON import takes at most ${maxRows} rows; send larger files as CSV`);
  }
  return { rows };
}

/** The rows of an inspected body. */
export function jsonRows(file: SpoolFile): AsyncIterable<unknown> {
  return jsonElements(file);
}
