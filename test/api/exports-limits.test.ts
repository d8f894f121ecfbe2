import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { createCandidate, createOpenDriveNow } from '../factories/candidates.js';

/*
 * Issue 12, item 10: slowly read exports must not exhaust the database pool. Real PostgreSQL over
 * real TCP: the readers send their request, take the first bytes of the answer and then read
 * nothing, so the server's socket fills and stays full (a file bigger than the socket buffers).
 */


const POOL = 10;

/** Inserts `rows` applications with long names straight in SQL: 40,000 make a CSV export of ~30 MB, more than the sockets' buffers take. */
async function bigDrive(t: TestApp, rows: number): Promise<string> {
  const d = await createOpenDriveNow(t);
  await t.sql(
    `with c as (
       insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender, ethnicity, nationality)
       select gen_random_uuid(), 'Nguyễn Thị Hoa ' || repeat('Phương ', 60) || g, 'nguyen thi hoa ' || g, 'x', 'bulk-' || $1 || '-' || g, '001******' || lpad((g % 1000)::text, 3, '0'), '1990-01-01', 'female', 'Kinh', 'VN'
         from generate_series(1, ${rows}) g
       returning id)
     insert into applications (id, drive_id, quota_id, candidate_id, status)
     select gen_random_uuid(), $2, $3, c.id, 'eligible' from c`,
    [d.driveId, d.driveId, d.quotaId],
  );
  return d.driveId;
}

type Reader = { socket: net.Socket; status: number; body: string };

/** Sends an export request on a raw socket; once the first bytes arrive, stops reading. */
function slowReader(port: number, path: string, key: string): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nAccept: text/csv\r\n\r\n`);
    });
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      const text = chunk.toString('utf8');
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text });
    });
    socket.once('error', reject);
  });
}

describe.skipIf(!onPostgres)(`exports and slow readers (issue 12 item 10; ${CONCURRENCY_SKIP_REASON})`, () => {
  let t: TestApp;
  let port: number;
  let driveId: string;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    t = await setupApp({ poolMax: POOL, env: { EXPORT_MAX_PER_KEY: '20', EXPORT_MAX_TOTAL: '25' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    driveId = await bigDrive(t, 12_000);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t?.close();
  });

  it('when 20 slow readers of one read-only key hold their exports open, then /readyz and a write from another key still succeed, and the pool is not held', { timeout: 180_000 }, async () => {
    const reader = await t.keyFor('auditor');
    const writer = await t.keyFor('registrar');
    const pending = Array.from({ length: 20 }, () => slowReader(port, `/v1/drives/${driveId}/applications/export`, reader));
    // While the exports are being built and later downloaded: the instance keeps answering.
    await sleep(500);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    await createCandidate(t, {}, writer);

    const readers = await Promise.all(pending);
    sockets.push(...readers.map((r) => r.socket));
    expect(readers.map((r) => r.status)).toEqual(Array(20).fill(200));
    // All 20 downloads are open and stalled: no connection is held for them.
    const started = Date.now();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const created = await createCandidate(t, {}, writer);
    expect(created.id).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(4000);
    const [busy] = await t.sql<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and state in ('active', 'idle in transaction') and pid <> pg_backend_pid()`,
    );
    expect(busy!.n).toBe(0);
    for (const s of readers) s.socket.destroy();
  });
});

describe.skipIf(!onPostgres)(`export caps (issue 12 item 10; ${CONCURRENCY_SKIP_REASON})`, () => {
  let t: TestApp;
  let port: number;
  let driveId: string;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    t = await setupApp({ env: { EXPORT_MAX_PER_KEY: '2', EXPORT_MAX_TOTAL: '3', EXPORT_IDLE_TIMEOUT_MS: '10000' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    driveId = await bigDrive(t, 40_000);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t?.close();
  });

  it('when a key holds its 2 exports, then its third is 429 export.too_many; when the instance holds 3, then another key gets 503 export.busy; both with Retry-After; a stalled download is cut and its slot freed', { timeout: 120_000 }, async () => {
    const [a, b, c] = [await t.keyFor('auditor'), await t.keyFor('organizer'), await t.keyFor('council')];
    const path = `/v1/drives/${driveId}/applications/export`;
    const held = await Promise.all([slowReader(port, path, a), slowReader(port, path, a)]);
    sockets.push(...held.map((r) => r.socket));
    expect(held.map((r) => r.status)).toEqual([200, 200]);

    const third = await t.http.get(path).set(bearer(a)).set('accept', 'text/csv');
    expect(third.status).toBe(429);
    expect(third.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(third.body.code).toBe('export.too_many');
    expect(third.headers['retry-after']).toBeDefined();

    const other = await slowReader(port, path, b);
    sockets.push(other.socket);
    expect(other.status).toBe(200);
    const busy = await t.http.get(path).set(bearer(c)).set('accept', 'text/csv');
    expect(busy.status).toBe(503);
    expect(busy.body.code).toBe('export.busy');
    expect(busy.headers['retry-after']).toBeDefined();

    // The readers never read again: after EXPORT_IDLE_TIMEOUT_MS without progress the server cuts them.
    await sleep(11_000);
    // Their slots are free again.
    let again = await t.http.get(path).set(bearer(a)).set('accept', 'text/csv');
    for (let i = 0; i < 20 && again.status !== 200; i++) {
      await sleep(250);
      again = await t.http.get(path).set(bearer(a)).set('accept', 'text/csv');
    }
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(Number(again.headers['content-length'])).toBeGreaterThan(8_000_000);
  });
});
