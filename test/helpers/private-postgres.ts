import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, its own port), so that a
 * fault test can stop and start it without touching the shared server other test files use.
 */
export type PrivatePostgres = { url: (db?: string) => string; stop: () => void; start: () => void; destroy: () => void; port: number };

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'pg_ctl'))) return path.join(root, v, 'bin');
  return undefined;
}

export const privatePostgresAvailable = () => Boolean(binDir()) && process.getuid?.() === 0;

/** Starts the server on a free port (asked of `pickPort`), trying again if another socket took it first. */
export async function startPrivatePostgres(pickPort: () => Promise<number>): Promise<PrivatePostgres> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return startPrivatePostgresOn(await pickPort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function startPrivatePostgresOn(port: number): PrivatePostgres {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'td-pg-'));
  const data = path.join(dir, 'data');
  const pwd = { cwd: '/' };
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe', ...pwd });
  execFileSync('chown', ['postgres:postgres', dir]);
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  try {
    start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'createdb'), '-h', '127.0.0.1', '-p', String(port), 'app'], { stdio: 'pipe', ...pwd });
  return {
    port,
    url: (db = 'app') => `postgres://postgres@127.0.0.1:${port}/${db}`,
    stop,
    start,
    destroy: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
