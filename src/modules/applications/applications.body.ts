import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type { Spool, SpoolFile } from '../../crypto/spool.js';
import { AppError } from '../../errors.js';

/*
 * Import bodies (CSV and JSON) are streamed to an encrypted spool file (src/crypto/spool.ts) while
 * their size is counted, their hash computed (for Idempotency-Key) and their text checked, then
 * parsed from that file: 100,000 rows never sit in memory.
 *
 * Text is UTF-8. A body in another encoding read as UTF-8 stores names with U+FFFD in place of
 * every Vietnamese letter Windows-1258 or Latin-1 writes as one byte, so: a body that declares its
 * charset (`Content-Type: text/csv; charset=windows-1258`) is decoded to UTF-8 on the way in;
 * one that does not (or declares UTF-8) must be valid UTF-8, else 400 import.encoding naming the
 * first bad byte, before anything is written. A UTF-8 byte-order mark is valid UTF-8 (the parsers drop it).
 */

export type SpooledBody = { file: SpoolFile; hash: string; bytes: number };

const encodingError = (detail: string) => new AppError(400, 'import.encoding', detail);

/** The charset a Content-Type declares, lower-cased; undefined when it declares none. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

const isUtf8Name = (charset: string) => charset === 'utf-8' || charset === 'utf8';

/**
 * The offset of the first byte of `b` that does not start or continue a well-formed UTF-8 sequence
 * (RFC 3629, Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF), or -1.
 * A sequence cut short by the end of `b` counts as bad.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** Where a sequence still open at the end of `b` starts (at most 3 bytes back), or b.length. */
function completeUpTo(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back]!;
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > back ? b.length - back : b.length;
    }
  }
  return b.length;
}

/** Passes UTF-8 bytes through unchanged; fails with import.encoding at the first bad byte (offset and line). */
function utf8Check(): Transform {
  let carry = Buffer.alloc(0);
  let offset = 0; // bytes before `carry`
  let lines = 1; // line number at `offset`
  const fail = (b: Buffer, at: number) => {
    let line = lines;
    for (let i = b.indexOf(10); i !== -1 && i < at; i = b.indexOf(10, i + 1)) line++;
    const bytes = [...b.subarray(at, at + 4)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    return encodingError(
      `The body is not valid UTF-8: byte ${offset + at} (line ${line}) starts "${bytes}". Save the file as UTF-8 ` +
        '(Excel: "CSV UTF-8"), or declare its encoding, e.g. Content-Type: text/csv; charset=windows-1258',
    );
  };
  const check = (b: Buffer, end: number, done: (err?: Error | null) => void): boolean => {
    const whole = b.subarray(0, end);
    if (isUtf8(whole)) return true;
    done(fail(b, firstInvalidUtf8(whole)));
    return false;
  };
  const advance = (b: Buffer, end: number) => {
    for (let i = b.indexOf(10); i !== -1 && i < end; i = b.indexOf(10, i + 1)) lines++;
    offset += end;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const b = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const end = completeUpTo(b);
      if (!check(b, end, done)) return;
      advance(b, end);
      carry = Buffer.from(b.subarray(end));
      done(null, chunk);
    },
    flush(done) {
      if (carry.length > 0 && !check(carry, carry.length, done)) return;
      done();
    },
  });
}

/** Decodes a declared charset to UTF-8 (iconv-lite; Windows-1258 writes tones as combining marks: the row schema NFC-normalises text). */
function decodeTo8(charset: string): Transform {
  const decoder = iconv.getDecoder(charset);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const text = decoder.write(chunk);
      done(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
    flush(done) {
      const text = decoder.end();
      done(null, text ? Buffer.from(text, 'utf8') : undefined);
    },
  });
}

/** The text transform a declared charset asks for: a UTF-8 check by default, a decoder for any other known charset. */
function textTransform(charset: string | undefined): Transform {
  if (charset === undefined || isUtf8Name(charset)) return utf8Check();
  if (!iconv.encodingExists(charset)) {
    throw encodingError(`The declared charset "${charset}" is not supported: send UTF-8, or a charset such as windows-1258 or iso-8859-1`);
  }
  return decodeTo8(charset);
}

/**
 * Streams `body` into a new spool file, counting bytes against `limitBytes` (413 request.too_large)
 * and hashing them after `hashPrefix` (the charset is part of the hash: the same bytes declared in
 * another charset are another body).
 */
export async function spoolBody(
  spool: Spool,
  body: Readable,
  /** binary: a workbook (XLSX), kept byte for byte (no charset applies). */
  opts: { limitBytes: number; hashPrefix: string; charset: string | undefined; binary?: boolean },
): Promise<SpooledBody> {
  const { limitBytes, charset } = opts;
  let text: Transform;
  try {
    text = opts.binary ? new PassThrough() : textTransform(charset);
  } catch (err) {
    body.resume();
    throw err;
  }
  const hash = createHash('sha256').update(`${opts.hashPrefix}charset=${charset ?? ''}\n`);
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
  const writer = spool.create();
  try {
    await pipeline(body, meter, text, writer.input);
    const file = await writer.close();
    return { file, hash: hash.digest('hex'), bytes };
  } catch (err) {
    await writer.discard();
    body.resume();
    if (err instanceof AppError) throw err;
    throw new AppError(400, 'request.malformed', 'The request body could not be read');
  }
}
