import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/client.js';
import { createLogger, redactUrl } from '../../src/logger.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { createAgency } from '../factories/agencies.js';
import { candidateBody, createOpenDriveNow, makeNationalId } from '../factories/candidates.js';

let t: TestApp;
const lines: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  t = await setupApp({ logger: createLogger('info', sink) });
});
afterAll(async () => {
  await t.close();
});

const NUL = '\u0000';

describe('NUL bytes', () => {
  it('when a NUL is in any of several body fields, then 400 request.nul_byte naming the field, and nothing is written', async () => {
    const agency = { code: 'NUL-A', name: 'Sở Nội vụ', bloc: 'state' };
    const cases: [string, Record<string, unknown>, string][] = [
      ['/v1/agencies', { ...agency, name: `Sở${NUL}Nội vụ` }, 'body.name'],
      ['/v1/candidates', { ...candidateBody(), fullName: `Nguyễn${NUL}An` }, 'body.fullName'],
      ['/v1/candidates', { ...candidateBody(), ethnicity: `Kinh${NUL}` }, 'body.ethnicity'],
      ['/v1/candidates', { ...candidateBody(), contacts: { email: null, phone: null, address: `12${NUL} Tràng Tiền` } }, 'body.contacts.address'],
      ['/v1/candidates', { ...candidateBody(), nationalId: `${NUL}${makeNationalId().slice(1)}` }, 'body.nationalId'],
    ];
    for (const [url, body, path] of cases) {
      const res = await t.http.post(url).set(bearer(t.adminKey)).send(body);
      expect(res.status, `${url} ${path}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.code).toBe('request.nul_byte');
      expect(res.body.errors).toEqual([{ path, message: expect.any(String) }]);
    }
    const [row] = await t.sql<{ n: number }>("select count(*)::int as n from candidates where full_name like 'Nguyễn%An'");
    expect(row!.n).toBe(0);
  });

  it('when a NUL is in ?q= or another query value, then 400 request.nul_byte naming it', async () => {
    for (const url of ['/v1/candidates', '/v1/agencies', '/v1/drives', '/v1/job-positions']) {
      const res = await t.http.get(`${url}?q=Nguy%00n`).set(bearer(t.adminKey));
      expect(res.status, url).toBe(400);
      expect(res.body.code).toBe('request.nul_byte');
      expect(res.body.errors[0].path).toBe('query.q');
    }
    const cursor = await t.http.get('/v1/agencies?cursor=%00').set(bearer(t.adminKey));
    expect(cursor.status).toBe(400);
    expect(cursor.body.code).toBe('request.nul_byte');
  });

  it('when a CSV import cell holds a NUL, then that row is refused (row.nul_byte naming the column), never a 500, and the other rows import', async () => {
    const d = await createOpenDriveNow(t);
    const header = 'fullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef';
    const csv = [
      header,
      `Nguyễn Thị Ánh,${makeNationalId({ birthYear: 1996, female: true })},1996-02-14,female,Kinh,VN,,,,${d.quotaId},,`,
      `Trần Văn${NUL} Bình,${makeNationalId({ birthYear: 1994 })},1994-02-10,male,Kinh,VN,,,,${d.quotaId},,`,
    ].join('\r\n');
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .set('content-type', 'text/csv; charset=utf-8')
      .send(Buffer.from(csv, 'utf8'));
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ row: 1, status: 'created' });
    expect(res.body.results[1]).toMatchObject({ row: 2, status: 'error', errors: [{ code: 'row.nul_byte', field: 'fullName' }] });
  });
});

describe('logs', () => {
  it('when a query fails with a 500, then the log has its SQLSTATE and constraint, but neither the SQL, the values nor the detail', async () => {
    // A constraint the service does not map: its failure is an internal error (500).
    await t.sql("alter table candidates add constraint log_probe check (ethnicity <> 'Probe-Ethnicity')");
    const body = { ...candidateBody(), fullName: 'Hoàng Thị Logprobe', ethnicity: 'Probe-Ethnicity' };
    lines.length = 0;
    const res = await t.http.post('/v1/candidates').set(bearer(t.adminKey)).send(body);
    await t.sql('alter table candidates drop constraint log_probe');
    expect(res.status).toBe(500);
    const text = lines.join('\n');
    expect(text).toContain('23514');
    expect(text).toContain('log_probe');
    for (const leak of ['Logprobe', 'Probe-Ethnicity', body.nationalId, body.birthDate, 'an.nguyen@example.vn', '0912345678', 'insert into', 'national_id_ciphertext']) {
      expect(text).not.toContain(leak);
    }
  });

  it('when a national ID is sent under a percent-encoded parameter name, then the log still redacts it', async () => {
    const id = makeNationalId();
    lines.length = 0;
    const res = await t.http.get(`/v1/candidates?national%49d=${id}&limit=5`).set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    const text = lines.join('\n');
    // The request's log line names the route, never the URL; nothing anywhere holds the number.
    expect(lines.some((l) => l.includes('"route":"/v1/candidates"'))).toBe(true);
    expect(text).not.toContain(id);
    expect(redactUrl(`/v1/candidates?%6Eational_id=${id}&q=An`)).toBe('/v1/candidates?%6Eational_id=[REDACTED]&q=An');
    expect(redactUrl(`/v1/candidates?nationalId%5B%5D=${id}`)).not.toContain(id);
  });
});

describe.skipIf(!onPostgres)(`statement timeout (${CONCURRENCY_SKIP_REASON})`, () => {
  it('when a write waits past DB_STATEMENT_TIMEOUT_MS on a row lock, then 503 database.timeout with Retry-After, and the row is unchanged', async () => {
    const a = await createAgency(t);
    const database = await openDatabase({ databaseUrl: t.config.databaseUrl, poolMax: 4, statementTimeoutMs: 300 });
    const app = await buildApp({ config: t.config, database });
    await app.ready();
    const locker = new pg.Client({ connectionString: t.config.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select * from agencies where id = $1 for update', [a.id]);
      const res = await app.inject({
        method: 'PATCH',
        url: `/v1/agencies/${a.id}`,
        headers: { ...bearer(t.adminKey), 'if-match': '"v1"', 'content-type': 'application/json' },
        payload: { name: 'Tên chờ khóa' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().code).toBe('database.timeout');
    } finally {
      await locker.query('rollback');
      await locker.end();
      await app.close();
      await database.close();
    }
    const [row] = await t.sql<{ name: string }>('select name from agencies where id = $1', [a.id]);
    expect(row!.name).toBe(a.name);
  });
});
