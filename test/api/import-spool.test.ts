import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openSpool } from '../../src/crypto/spool.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createOpenDriveNow, makeNationalId } from '../factories/candidates.js';

/*
 * Issue 12, item 6: import spool files (request bodies with national IDs in clear, per-row reports)
 * live in the service's private SPOOL_DIR (0700), encrypted under a key held only in memory, and
 * files left by a crashed instance are removed when the next one starts.
 */

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function newRoot(): Promise<string> {
  const root = path.join(process.cwd(), '.tmp', `spool-test-${randomUUID()}`);
  roots.push(root);
  return root;
}

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Regular files directly in the OS temp dir changed since `since` (other processes' too: only read, never changed). */
async function recentTempFiles(since: number): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(tmpdir(), { withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(tmpdir(), e.name);
    const s = await stat(full).catch(() => null);
    if (s && s.mtimeMs >= since - 1000 && s.size < 64 * 1024 * 1024) out.push(full);
  }
  return out;
}

/** The files among `files` whose bytes hold any of `ids` in clear. */
async function holdingIds(files: string[], ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    const bytes = await readFile(f).catch(() => null);
    if (bytes && ids.some((id) => bytes.includes(id))) found.push(f);
  }
  return found;
}

const HEADER = 'fullName,nationalId,birthDate,gender,ethnicity,nationality,quotaId\r\n';

describe('import spool (issue 12 item 6)', () => {
  it('when a CSV import is uploading, running and done, then no file in the OS temp dir or the spool dir holds a national ID in clear, and none is left', async () => {
    const root = await newRoot();
    const t: TestApp = await setupApp({ env: { SPOOL_DIR: root } });
    try {
      const d = await createOpenDriveNow(t);
      const ids = Array.from({ length: 300 }, () => makeNationalId({ birthYear: 1990, female: true }));
      const line = (id: string) => `Trần Thị Mai,${id},1990-01-01,female,Kinh,VN,${d.quotaId}\r\n`;
      const since = Date.now();
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1/drives/${d.driveId}/applications/import`,
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'text/csv' },
      });
      const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
      });
      // Half the file is sent, then the upload pauses: the body is being spooled.
      req.write(HEADER + ids.slice(0, 150).map(line).join(''));
      let during: string[] = [];
      for (let i = 0; i < 100 && during.length === 0; i++) {
        await sleep(50);
        during = (await filesUnder(root)).filter((f) => !f.endsWith('.lock') && !f.includes('.lock/'));
        if (during.length > 0 && (await stat(during[0]!)).size === 0) during = [];
      }
      expect(during.length).toBeGreaterThan(0);
      expect(await holdingIds([...during, ...(await recentTempFiles(since))], ids)).toEqual([]);
      req.end(ids.slice(150).map(line).join(''));
      const res = await answered;
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).summary).toMatchObject({ rows: 300, created: 300 });
      // After: nothing of the import is left in the spool, and nothing anywhere holds the IDs.
      const own = (await readdir(root)).filter((n) => !n.endsWith('.lock'));
      expect(own).toHaveLength(1);
      // The files are removed as the answer's stream closes, a moment after the client has read it.
      let left = await readdir(path.join(root, own[0]!));
      for (let i = 0; i < 40 && left.length > 0; i++) {
        await sleep(50);
        left = await readdir(path.join(root, own[0]!));
      }
      expect(left).toEqual([]);
      expect(await holdingIds([...(await filesUnder(root)), ...(await recentTempFiles(since))], ids)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('when an instance starts, then the spool dir is made private (0700) and files of a crashed instance are removed, those of a live one kept', async () => {
    const root = await newRoot();
    await mkdir(root, { recursive: true, mode: 0o755 });
    await chmod(root, 0o755);
    // A crashed instance: its subdirectory with a spooled body, and its lock not refreshed for a minute.
    const crashed = path.join(root, randomUUID());
    await mkdir(crashed);
    await writeFile(path.join(crashed, randomUUID()), 'Nguyễn Văn A,012345678901,1990-01-01\n');
    await mkdir(`${crashed}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${crashed}.lock`, old, old);
    // A file of the older layout, and a crashed instance that never took its lock.
    await writeFile(path.join(root, 'tuyendung-import-old.csv'), 'x');
    await mkdir(path.join(root, randomUUID()));
    // A live instance on the same directory, with a file being read.
    const live = await openSpool(root);
    const writer = live.create();
    await writer.write('still needed');
    const file = await writer.close();

    const t = await setupApp({ env: { SPOOL_DIR: root } });
    try {
      const entries = (await readdir(root)).sort();
      const liveName = path.basename(live.dir);
      const others = entries.filter((n) => n !== liveName && n !== `${liveName}.lock`);
      // What is left besides the live instance: the new instance's own directory and lock.
      expect(others).toHaveLength(2);
      expect(others.some((n) => n.endsWith('.lock'))).toBe(true);
      const own = path.join(root, others.find((n) => !n.endsWith('.lock'))!);
      expect(entries).toContain(liveName);
      let text = '';
      for await (const c of file.read({ encoding: 'utf8' })) text += c as string;
      expect(text).toBe('still needed');

      expect((await stat(root)).mode & 0o777).toBe(0o700);
      expect((await stat(own)).mode & 0o777).toBe(0o700);
      expect((await stat(live.dir)).mode & 0o777).toBe(0o700);
      const spooled = await filesUnder(live.dir);
      expect(spooled).toHaveLength(1);
      expect((await stat(spooled[0]!)).mode & 0o777).toBe(0o600);
      // Encrypted: the bytes on disk are not the text written.
      expect((await readFile(spooled[0]!)).includes('still needed')).toBe(false);
    } finally {
      await t.close();
      await live.close();
    }
    // Closing removes the instance's own directory and lock.
    expect(await readdir(root)).toEqual([]);
  });
});
