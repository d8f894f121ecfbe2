import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';

/*
 * The operator commands as a new user runs them: the environment file `.env.example` tells them to
 * write is read, and `npm run keys` while the server holds the embedded database says what to do.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const keysCli = path.join(root, 'src/cli/keys.ts');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function run(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  // Only what a shell user would have: no DATABASE_URL, no keys from this test run.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...opts.env };
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), keysCli, ...args], { cwd: opts.cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function workdir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'td-ops-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('operator commands', () => {
  it('when a .env file in the working directory sets PGLITE_DIR, then npm run keys uses that embedded database', { timeout: 300_000 }, async () => {
    const dir = await workdir();
    await writeFile(path.join(dir, '.env'), 'PGLITE_DIR=./from-env-file/pglite\n');
    const res = await run(['create', '--role', 'admin', '--name', 'ops'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Created admin key [^\n]*\ntd_[A-Za-z0-9_-]{43}/);
    expect((await stat(path.join(dir, 'from-env-file/pglite'))).isDirectory()).toBe(true);

    // A variable set in the environment wins over the file; ENV_FILE= reads none.
    const other = await run(['list'], { cwd: dir, env: { PGLITE_DIR: './from-environment/pglite' } });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).not.toContain('ops');
    expect((await stat(path.join(dir, 'from-environment/pglite'))).isDirectory()).toBe(true);
  });

  it('when the server holds the embedded database, then npm run keys fails saying how to make a key through the API and how to recover a lost admin key', { timeout: 300_000 }, async () => {
    const dir = await workdir();
    const held = await openDatabase({ pgliteDir: path.join(dir, 'pglite') });
    try {
      const res = await run(['create', '--role', 'admin', '--name', 'ops'], { cwd: dir, env: { PGLITE_DIR: './pglite', ENV_FILE: '' } });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('is in use by another process');
      expect(res.stderr).toContain('POST http://127.0.0.1:3000/v1/api-keys');
      expect(res.stderr).toContain('A lost admin key');
    } finally {
      await held.close();
    }
  });
});
