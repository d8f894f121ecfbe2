import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createAgencyWithHeadcount } from '../factories/drives.js';
import { buildSmallDrive } from '../factories/reports.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMULA_NAMES = ['=HYPERLINK("http://x.example","Bấm")', '+84 Nguyễn Văn An', '-1+Trần Thị Bình', '@SUM(A1:A9) Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em'];

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

/** Reads a binary body (supertest buffers only text by default). */
const binary = (res: unknown, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  const stream = res as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

async function download(path: string, accept?: string, key = t.adminKey) {
  const req = t.http.get(path).set(bearer(key)).buffer(true).parse(binary);
  if (accept) void req.set('accept', accept);
  return req;
}

/** Reads the CSV with csv-parse (strict quoting), as a spreadsheet import would. */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: false }) as string[][];

describe('GET /v1/drives/{id}/applications/export', () => {
  it('when CSV is asked, then a UTF-8 file with BOM, header row, Vietnamese intact, masked IDs and formula cells escaped', async () => {
    const d = await buildSmallDrive(t, { fullNames: FORMULA_NAMES });
    // The machine layout (status codes); the office layout is test/api/i18n.test.ts.
    const res = await download(`/v1/drives/${d.driveId}/applications/export?format=iso`, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="ho-so-KT-[0-9a-f]+\.csv"/);
    const buf = res.body as Buffer;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(buf.subarray(3).toString('utf8'));
    expect(rows[0]).toContain('Họ và tên');
    expect(rows[0]).toContain('Số CCCD (đã che)');
    const nameCol = rows[0]!.indexOf('Họ và tên');
    const idCol = rows[0]!.indexOf('Số CCCD (đã che)');
    const statusCol = rows[0]!.indexOf('Trạng thái');
    const body = rows.slice(1);
    expect(body).toHaveLength(6);
    const names = body.map((r) => r[nameCol]);
    expect(names).toEqual(
      expect.arrayContaining([
        `'=HYPERLINK("http://x.example","Bấm")`,
        "'+84 Nguyễn Văn An",
        "'-1+Trần Thị Bình",
        "'@SUM(A1:A9) Lê Văn Cường",
        'Phạm Thị Dung',
        'Hoàng Văn Em',
      ]),
    );
    // National IDs leave only masked, exactly as stored.
    const stored = await t.sql<{ m: string }>(`select c.national_id_masked as m from applications a join candidates c on c.id = a.candidate_id where a.drive_id = $1`, [d.driveId]);
    expect(body.map((r) => r[idCol]).sort()).toEqual(stored.map((s) => s.m).sort());
    expect(body.every((r) => !/^\d{12}$/.test(r[idCol] ?? ''))).toBe(true);
    expect(body.map((r) => r[statusCol]).sort()).toEqual(['eligible', 'eligible', 'eligible', 'eligible', 'submitted', 'withdrawn']);
  });

  it('when XLSX is asked, then the workbook opens with exceljs and has the header and every row, text escaped', async () => {
    const d = await buildSmallDrive(t, { fullNames: FORMULA_NAMES });
    const res = await download(`/v1/drives/${d.driveId}/applications/export`, XLSX);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/filename="ho-so-KT-[0-9a-f]+\.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.name).toBe('Hồ sơ đăng ký');
    expect(sheet.rowCount).toBe(7);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const nameCol = header.indexOf('Họ và tên') + 1;
    const names = Array.from({ length: 6 }, (_, i) => sheet.getRow(i + 2).getCell(nameCol).value);
    expect(names).toEqual(expect.arrayContaining([`'=HYPERLINK("http://x.example","Bấm")`, "'+84 Nguyễn Văn An", 'Phạm Thị Dung']));
    // No cell is a formula.
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('when Accept is JSON or another type, then 406 problem+json; with no Accept, CSV', async () => {
    const d = await buildSmallDrive(t);
    for (const accept of ['application/json', 'application/pdf', 'text/html;q=1, application/xml']) {
      const res = await t.http.get(`/v1/drives/${d.driveId}/applications/export`).set(bearer(t.adminKey)).set('accept', accept);
      expect(res.status, accept).toBe(406);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('request.not_acceptable');
    }
    const plain = await download(`/v1/drives/${d.driveId}/applications/export`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/csv; charset=utf-8');
    const preferXlsx = await download(`/v1/drives/${d.driveId}/applications/export`, `text/csv;q=0.5, ${XLSX}`);
    expect(preferXlsx.headers['content-type']).toBe(XLSX);
  });

  it('when a drive has more applications than one cursor batch, then the export streams every one of them', async () => {
    const d = await buildSmallDrive(t);
    // 2,500 more rows in one statement: the export reads them through the cursor in batches of 1,000.
    await t.sql(
      `with c as (
         insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender, ethnicity, nationality)
         select gen_random_uuid(), 'Đặng Thị Hoa ' || g, 'dang thi hoa ' || g, 'x', 'bulk-' || $1 || '-' || g, '001******' || lpad(g::text, 3, '0'), '1990-01-01', 'female', 'Kinh', 'VN'
           from generate_series(1, 2500) g
         returning id)
       insert into applications (id, drive_id, quota_id, candidate_id, status)
       select gen_random_uuid(), $2, $3, c.id, 'eligible' from c`,
      [d.driveId, d.driveId, d.q1],
    );
    const res = await download(`/v1/drives/${d.driveId}/applications/export`, 'text/csv');
    expect(res.status).toBe(200);
    const rows = parseCsv((res.body as Buffer).subarray(3).toString('utf8'));
    expect(rows).toHaveLength(1 + 6 + 2500);
    expect(new Set(rows.slice(1).map((r) => r[rows[0]!.indexOf('Họ và tên')])).size).toBe(2506);
  });

  it('when the key is scoped to another agency, then 404; a marker key is 403', async () => {
    const d = await buildSmallDrive(t);
    const other = await createAgencyWithHeadcount(t, { name: 'Thành đoàn Hà Nội' });
    const res = await t.http.get(`/v1/drives/${d.driveId}/applications/export`).set(bearer(await t.keyFor('registrar', other.agencyId)));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('drive.not_found');
    const marker = await t.http.get(`/v1/drives/${d.driveId}/results/export`).set(bearer(await t.keyFor('marker')));
    expect(marker.status).toBe(403);
  });
});

describe('GET /v1/drives/{id}/results/export', () => {
  it('when results are computed, then every result row is exported by quota and rank with scores and outcome', async () => {
    const d = await buildSmallDrive(t);
    // The machine layout (outcome codes); the office layout is test/api/i18n.test.ts.
    const res = await download(`/v1/drives/${d.driveId}/results/export?format=iso`, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="ket-qua-KT-[0-9a-f]+\.csv"/);
    const rows = parseCsv((res.body as Buffer).subarray(3).toString('utf8'));
    const h = rows[0]!;
    const col = (name: string) => h.indexOf(name);
    const body = rows.slice(1);
    const [count] = await t.sql<{ n: number }>(`select count(*)::int as n from results where drive_id = $1`, [d.driveId]);
    expect(body).toHaveLength(count!.n);
    const winners = body.filter((r) => r[col('Kết quả')] === 'winner');
    expect(winners.map((r) => [r[col('Họ và tên')], r[col('Thứ hạng')], r[col('Điểm vòng 2')]])).toEqual([
      ['Nguyễn Văn An', '1', '80.00'],
      ['Trần Thị Bình', '2', '70.50'],
    ]);
  });

  it('when XLSX is asked, then scores are numbers in the workbook', async () => {
    const d = await buildSmallDrive(t);
    const res = await download(`/v1/drives/${d.driveId}/results/export`, XLSX);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const scoreCol = header.indexOf('Điểm vòng 2') + 1;
    const nameCol = header.indexOf('Họ và tên') + 1;
    const an = Array.from({ length: sheet.rowCount - 1 }, (_, i) => sheet.getRow(i + 2)).find((r) => r.getCell(nameCol).value === 'Nguyễn Văn An');
    expect(an?.getCell(scoreCol).value).toBe(80);
  });
});

describe('reports as CSV and XLSX', () => {
  it('when the drive report is asked as CSV, then one row per quota and a total row with the same figures as the JSON', async () => {
    const d = await buildSmallDrive(t);
    const res = await download(`/v1/reports/drives/${d.driveId}`, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="bao-cao-KT-[0-9a-f]+\.csv"/);
    const rows = parseCsv((res.body as Buffer).subarray(3).toString('utf8'));
    expect(rows).toHaveLength(4);
    const h = rows[0]!;
    const total = rows[3]!;
    expect(total[h.indexOf('Đơn vị')]).toBe('Tổng cộng');
    expect(total[h.indexOf('Số thí sinh')]).toBe('6');
    expect(total[h.indexOf('Chỉ tiêu')]).toBe('4');
    expect(total[h.indexOf('Trúng tuyển')]).toBe('2');
    expect(total[h.indexOf('Thí sinh / chỉ tiêu')]).toBe('1.50');
    expect(total[h.indexOf('Tỷ lệ lấp đầy (%)')]).toBe('50.0');
    expect(total[h.indexOf('Tỷ lệ đạt round1 (%)')]).toBe('75.0');
  });

  it('when the leadership report is asked as XLSX, then each figure is a row with count, denominator and percent', async () => {
    const res = await download('/v1/reports/leadership?year=2031', XLSX);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/filename="bao-cao-thi-tuyen-lanh-dao-2031\.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(8);
    expect(sheet.getRow(2).getCell(1).value).toBe('Chức danh được phê duyệt thi tuyển');
    expect(sheet.getRow(2).getCell(2).value).toBe(0);
  });
});
