import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import lockfile from 'proper-lockfile';

/*
 * Spool files: request bodies and reports too large to hold in memory (a CSV import of 200 MB, an
 * import's per-row report, an export being built) go to disk while they are processed. They hold
 * national IDs, names and birth dates, so:
 * - they live in the service's own directory (SPOOL_DIR, mode 0700), never the shared OS temp dir;
 * - each file is encrypted with AES-256-GCM under a key made for that file and held only in this
 *   process's memory: a crash leaves bytes nobody can read, not candidates' data;
 * - each instance works in its own subdirectory, locked while it runs (proper-lockfile, as the
 *   embedded database's directory is); at start an instance removes the subdirectories whose lock
 *   is gone or stale (a crashed or killed process), so several instances may share SPOOL_DIR.
 */

const STALE_MS = 30_000;
const LOCK_UPDATE_MS = 10_000;
const READ_CHUNK_BYTES = 64 * 1024;

/** A spool file once written: read it back (as often as needed) or remove it. */
export type SpoolFile = {
  readonly bytes: number;
  /** The plaintext, decrypted as it is read (utf8 text when `encoding` is given). */
  read(opts?: { encoding?: BufferEncoding }): Readable;
  discard(): Promise<void>;
};

/** A spool file being written: write to `input` (or `write()`), then `close()`. */
export type SpoolWriter = {
  /** The encrypting stream; pipe into it or use write(). Ending it is left to close() or to a pipeline. */
  readonly input: Writable;
  /** Writes with back-pressure. */
  write(chunk: string | Buffer): Promise<void>;
  close(): Promise<SpoolFile>;
  discard(): Promise<void>;
};

export type Spool = {
  /** This instance's own directory (inside SPOOL_DIR). */
  readonly dir: string;
  create(): SpoolWriter;
  /** Releases the lock and removes this instance's directory. */
  close(): Promise<void>;
};

/** The directory holding the per-instance subdirectories, created private (0700) whatever the umask. */
async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Removes what crashed instances left: subdirectories whose lock is absent or stale, and stray files. */
async function removeLeftovers(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.name.endsWith('.lock')) {
      // A lock whose directory is gone: kept while fresh (its instance is just starting), else removed.
      const owner = full.slice(0, -'.lock'.length);
      if (!(await isLocked(owner))) await rm(full, { recursive: true, force: true });
      continue;
    }
    if (entry.isDirectory() && (await isLocked(full))) continue;
    await rm(full, { recursive: true, force: true });
  }
}

const isLocked = (dir: string) => lockfile.check(dir, { lockfilePath: `${dir}.lock`, realpath: false, stale: STALE_MS }).catch(() => false);

/** Opens the spool under `root`: a fresh locked subdirectory, after removing crashed instances' leftovers. */
export async function openSpool(root: string): Promise<Spool> {
  const abs = path.resolve(root);
  await privateDir(abs);
  const dir = path.join(abs, randomUUID());
  // Locked before it exists: another instance starting meanwhile does not take it for a leftover.
  const release = await lockfile.lock(dir, { lockfilePath: `${dir}.lock`, realpath: false, stale: STALE_MS, update: LOCK_UPDATE_MS });
  await removeLeftovers(abs);
  await mkdir(dir, { mode: 0o700 });
  return {
    dir,
    create: () => spoolWriter(dir),
    async close() {
      await rm(dir, { recursive: true, force: true });
      await release().catch(() => undefined);
    },
  };
}

function spoolWriter(dir: string): SpoolWriter {
  const file = path.join(dir, randomUUID());
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  let bytes = 0;
  cipher.on('data', (c: Buffer) => (bytes += c.length));
  const sink = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  const written = pipeline(cipher, sink);
  // Failures are taken up by close() or discard(); until then the promise is not "unhandled".
  written.catch(() => undefined);
  const discard = async () => {
    cipher.destroy();
    await written.catch(() => undefined);
    await rm(file, { force: true });
  };
  return {
    input: cipher,
    async write(chunk) {
      if (!cipher.write(chunk)) await once(cipher, 'drain');
    },
    async close() {
      try {
        if (!cipher.writableEnded) cipher.end();
        await written;
      } catch (err) {
        await discard();
        throw err;
      }
      const tag = cipher.getAuthTag();
      return {
        bytes,
        read(opts = {}) {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAuthTag(tag);
          const source = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
          source.on('error', (err) => decipher.destroy(err));
          decipher.on('close', () => source.destroy());
          if (opts.encoding) decipher.setEncoding(opts.encoding);
          return source.pipe(decipher);
        },
        discard,
      };
    },
    discard,
  };
}
