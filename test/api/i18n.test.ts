import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { buildSmallDrive } from '../factories/reports.js';

/*
 * Issue #19 item 3 "Vietnamese": problem details and validation messages follow Accept-Language
 * (English by default), the stable `code` never changes; exports default to what an office opens in
 * Excel and keep the ISO layout for machines.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('problem details in the language asked for', () => {
  it('when nothing is sent, then English with Content-Language en and Vary: Accept-Language', async () => {
    const res = await t.http.get(`/v1/drives/${MISSING}`).set(bearer(t.adminKey));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('drive.not_found');
    expect(res.body.title).toBe('Not Found');
    expect(res.body.detail).toBe(`No drive with id ${MISSING}`);
    expect(res.headers['content-language']).toBe('en');
    expect(res.headers.vary).toMatch(/Accept-Language/i);
  });

  it('when Accept-Language is vi, then the title and detail are Vietnamese and the code and type are unchanged', async () => {
    const res = await t.http.get(`/v1/drives/${MISSING}`).set(bearer(t.adminKey)).set('accept-language', 'vi');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('drive.not_found');
    expect(res.body.type).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/problems\/drive\.not_found$/);
    expect(res.body.title).toBe('Không tìm thấy');
    expect(res.body.detail).toBe(`Không tìm thấy kỳ tuyển dụng có mã ${MISSING}`);
    expect(res.headers['content-language']).toBe('vi');
    expect(res.headers.vary).toMatch(/Accept-Language/i);
  });

  it('when q-values rank the languages, then the highest acceptable one wins; unknown languages fall back to English', async () => {
    const ask = (lang: string) => t.http.get(`/v1/drives/${MISSING}`).set(bearer(t.adminKey)).set('accept-language', lang);
    expect((await ask('en;q=0.4, vi-VN;q=0.9')).headers['content-language']).toBe('vi');
    expect((await ask('vi;q=0.3, en;q=0.8')).headers['content-language']).toBe('en');
    expect((await ask('fr-FR, de;q=0.9')).body.title).toBe('Not Found');
    expect((await ask('vi;q=0, fr')).body.title).toBe('Not Found');
    expect((await ask('fr, vi;q=0.1')).body.title).toBe('Không tìm thấy');
  });

  it('when an unknown route is asked in Vietnamese, then the detail names the method and path', async () => {
    const res = await t.http.get('/v1/khong-co').set(bearer(t.adminKey)).set('accept-language', 'vi');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('route.not_found');
    expect(res.body.detail).toBe('Không có đường dẫn GET /v1/khong-co');
  });

  it('when the key is missing, then a Vietnamese 401 keeps code auth.unauthorized', async () => {
    const res = await t.http.get('/v1/drives').set('accept-language', 'vi');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.unauthorized');
    expect(res.body.title).toBe('Chưa xác thực');
    expect(res.body.detail).toBe('Thiếu khóa API hoặc khóa API không hợp lệ');
  });

  it('when a conflict has a template, then its Vietnamese detail carries the same parameter as the English one', async () => {
    const body = { code: `SNV-${Date.now().toString(36)}`, name: 'Sở Nội vụ', bloc: 'state' };
    expect((await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send(body)).status).toBe(201);
    const en = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send(body);
    const vi = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('accept-language', 'vi').send(body);
    expect(en.status).toBe(409);
    expect(en.body.detail).toBe(`Agency code ${body.code} is already used`);
    expect(vi.body).toMatchObject({ status: 409, code: 'agency.code_taken', title: 'Xung đột', detail: `Mã đơn vị ${body.code} đã được dùng` });
  });
});

describe('validation messages in the language asked for', () => {
  it('when a body field has the wrong type in Vietnamese, then zod’s vi locale words it and the code stays request.invalid', async () => {
    const en = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({ code: 12, name: 'Sở Nội vụ', bloc: 'state' });
    const vi = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('accept-language', 'vi').send({ code: 12, name: 'Sở Nội vụ', bloc: 'state' });
    expect(en.status).toBe(400);
    expect(vi.status).toBe(400);
    expect(vi.body.code).toBe('request.invalid');
    expect(vi.body.code).toBe(en.body.code);
    expect(en.body.errors).toEqual([{ path: 'body.code', message: expect.stringMatching(/expected string, received number/) }]);
    expect(vi.body.errors).toEqual([{ path: 'body.code', message: 'Đầu vào không hợp lệ: mong đợi string, nhận được số' }]);
    expect(vi.body.title).toBe('Yêu cầu không hợp lệ');
    expect(vi.body.detail).toBe('Yêu cầu không hợp lệ: body.code: Đầu vào không hợp lệ: mong đợi string, nhận được số');
  });

  it('when a query number is not one, then Vietnamese says a number was expected (English says so too)', async () => {
    const en = await t.http.get('/v1/drives?limit=abc').set(bearer(t.adminKey));
    const vi = await t.http.get('/v1/drives?limit=abc').set(bearer(t.adminKey)).set('accept-language', 'vi');
    expect(en.body.errors[0].message).toMatch(/expected a number/);
    expect(vi.body.errors).toEqual([{ path: 'querystring.limit', message: 'Đầu vào không hợp lệ: mong đợi một số' }]);
  });

  it('when the same request is sent after a Vietnamese one, then English is unchanged (rendering is per request, not global)', async () => {
    await t.http.post('/v1/agencies').set(bearer(t.adminKey)).set('accept-language', 'vi').send({});
    const en = await t.http.post('/v1/agencies').set(bearer(t.adminKey)).send({});
    expect(en.body.title).toBe('Bad Request');
    expect(JSON.stringify(en.body.errors)).not.toMatch(/Đầu vào/);
  });
});

/** Reads a binary body (supertest buffers only text by default). */
const binary = (res: unknown, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  const stream = res as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
const csv = async (path: string, lang?: string) => {
  const req = t.http.get(path).set(bearer(t.adminKey)).buffer(true).parse(binary);
  if (lang) void req.set('accept-language', lang);
  const res = await req;
  const rows = parse((res.body as Buffer).subarray(3).toString('utf8')) as string[][];
  const h = rows[0]!;
  return { res, h, body: rows.slice(1), col: (name: string) => h.indexOf(name) };
};

describe('exports for the office and for machines', () => {
  it('when results are exported without asking, then outcomes are Vietnamese labels and birth dates dd/mm/yyyy', async () => {
    const d = await buildSmallDrive(t);
    const { res, body, col } = await csv(`/v1/drives/${d.driveId}/results/export`);
    expect(res.status).toBe(200);
    expect(res.headers['content-language']).toBe('vi');
    expect(res.headers.vary).toMatch(/Accept-Language/i);
    const winners = body.filter((r) => r[col('Kết quả')] === 'Trúng tuyển');
    expect(winners.map((r) => r[col('Họ và tên')])).toEqual(['Nguyễn Văn An', 'Trần Thị Bình']);
    expect(body.some((r) => r[col('Kết quả')] === 'winner')).toBe(false);
    for (const r of body) expect(r[col('Ngày sinh')]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
  });

  it('when ?format=iso or Accept-Language: en is sent, then the machine layout: codes and ISO dates, no Content-Language', async () => {
    const d = await buildSmallDrive(t);
    for (const [path, lang] of [
      [`/v1/drives/${d.driveId}/results/export?format=iso`, 'vi'],
      [`/v1/drives/${d.driveId}/results/export`, 'en-US'],
    ] as const) {
      const { res, body, col } = await csv(path, lang);
      expect(res.status).toBe(200);
      expect(res.headers['content-language']).toBeUndefined();
      expect(body.filter((r) => r[col('Kết quả')] === 'winner')).toHaveLength(2);
      for (const r of body) expect(r[col('Ngày sinh')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('when applications are exported for the office, then sex, status and times are Vietnamese (Asia/Ho_Chi_Minh)', async () => {
    const d = await buildSmallDrive(t);
    const office = await csv(`/v1/drives/${d.driveId}/applications/export`);
    const iso = await csv(`/v1/drives/${d.driveId}/applications/export?format=iso`);
    expect(office.h).toContain('Thời điểm đăng ký (giờ Việt Nam)');
    expect(iso.h).toContain('Thời điểm đăng ký (UTC)');
    const statuses = new Set(office.body.map((r) => r[office.col('Trạng thái')]));
    expect([...statuses].sort()).toEqual(['Đã nộp', 'Đã rút hồ sơ', 'Đủ điều kiện'].sort());
    for (const r of office.body) expect(['Nam', 'Nữ', 'Khác']).toContain(r[office.col('Giới tính')]);
    // The same instant, seven hours ahead in Hà Nội.
    const byName = (rows: string[][], col: number, name: string) => rows.find((r) => r[col] === name)!;
    const isoAt = byName(iso.body, iso.col('Họ và tên'), 'Nguyễn Văn An')[iso.col('Thời điểm đăng ký (UTC)')]!;
    const officeAt = byName(office.body, office.col('Họ và tên'), 'Nguyễn Văn An')[office.col('Thời điểm đăng ký (giờ Việt Nam)')]!;
    const local = new Date(new Date(isoAt).getTime() + 7 * 3600_000).toISOString();
    expect(officeAt).toBe(`${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)} ${local.slice(11, 19)}`);
  });

  it('when the format is not one we have, then 400 request.invalid', async () => {
    const d = await buildSmallDrive(t);
    const res = await t.http.get(`/v1/drives/${d.driveId}/results/export?format=pdf`).set(bearer(t.adminKey));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.invalid');
  });
});
