import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Every path under the directory (itself included) that its group or others may read, write or enter. */
async function notPrivate(dir: string): Promise<string[]> {
  const found: string[] = [];
  if (((await stat(dir)).mode & 0o077) !== 0) found.push(dir);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (!e.isSymbolicLink() && ((await stat(p)).mode & 0o077) !== 0) found.push(`${((await stat(p)).mode & 0o777).toString(8)} ${p}`);
  }
  return found;
}

describe('embedded database directory', () => {
  // Two starts of an on-disk embedded database: slow on a busy machine.
  it('when the embedded database starts (new, or left with loose modes), then nothing under its directory is group/world readable or writable', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'td-mode-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dir = path.join(root, 'pglite');
    const first = await openDatabase({ pgliteDir: dir });
    await runMigrations(first);
    await first.close();
    const files = await readdir(dir, { recursive: true });
    expect(files.length).toBeGreaterThan(100);
    expect(await notPrivate(dir)).toEqual([]);

    // A directory from an older version: loosened by hand, tightened at the next start.
    await chmod(dir, 0o777);
    await mkdir(path.join(dir, 'stray'), { mode: 0o777 });
    await writeFile(path.join(dir, 'stray', 'file'), 'x', { mode: 0o666 });
    await chmod(path.join(dir, 'stray', 'file'), 0o666);
    await chmod(path.join(dir, 'PG_VERSION'), 0o666);
    const again = await openDatabase({ pgliteDir: dir });
    await again.close();
    expect(await notPrivate(dir)).toEqual([]);
  }, 240_000);
});
