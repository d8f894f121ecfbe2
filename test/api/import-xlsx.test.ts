import { spawn } from 'node:child_process';
import path from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNationalId } from '../../src/domain/masking.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createCandidate, createOpenDriveNow, makeNationalId, register } from '../factories/candidates.js';
import { waitForJob } from '../factories/jobs.js';

/*
 * Issue 19, item 4: the applications import reads XLSX, the applications export's Vietnamese headers
 * and dd/mm/yyyy dates, so that an office exports the list, edits it in Excel and imports it again.
 */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const binary = (res: unknown, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  const stream = res as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

const xlsxImport = (driveId: string, body: Buffer, query = '') =>
  t.http.post(`/v1/drives/${driveId}/applications/import${query}`).set(bearer(t.adminKey)).set('content-type', XLSX).send(body);

const applicationsOf = async (driveId: string) =>
  (await t.sql<{ n: number }>('select count(*)::int as n from applications where drive_id = $1', [driveId]))[0]!.n;

async function workbookBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A zip archive written by hand (stored or deflated entries), to build damaged and oversized workbooks. */
function zip(entries: { name: string; data: Buffer; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const packed = deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(e.data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc32(e.data), 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    central.push(dir, name);
    offset += 30 + name.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBytes, end]);
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
  '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>';
const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>';
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>';
const workbookWithSheet = (sheet: Buffer, declaredSize?: number) =>
  zip([
    { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
    { name: '_rels/.rels', data: Buffer.from(ROOT_RELS) },
    { name: 'xl/workbook.xml', data: Buffer.from(WORKBOOK) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(WORKBOOK_RELS) },
    { name: 'xl/worksheets/sheet1.xml', data: sheet, ...(declaredSize !== undefined ? { declaredSize } : {}) },
  ]);

describe('POST /v1/drives/{id}/applications/import with an Excel workbook', () => {
  it('when the applications export is edited in Excel (a cell changed, rows added, dd/mm/yyyy and date cells) and imported, then each row reports with Excel’s row number', async () => {
    const d = await createOpenDriveNow(t);
    const an = await createCandidate(t, { fullName: 'Nguyễn Văn An', birthDate: '1995-05-20' });
    const binh = await createCandidate(t, { fullName: 'Trần Thị Bình', birthDate: '1994-03-02', gender: 'female' });
    for (const c of [an, binh]) expect((await register(t, d.driveId, { candidateId: c.id, quotaId: d.quotaId })).status).toBe(201);

    const exported = await t.http.get(`/v1/drives/${d.driveId}/applications/export`).set(bearer(t.adminKey)).set('accept', XLSX).buffer(true).parse(binary);
    expect(exported.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(exported.body as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => {
      const i = header.indexOf(name);
      expect(i, name).toBeGreaterThanOrEqual(0);
      return i + 1;
    };
    const idCol = col('Số CCCD (đã che)');
    expect(sheet.rowCount).toBe(3);
    const anRow = [2, 3].find((r) => sheet.getRow(r).getCell(idCol).value === maskNationalId(an.nationalId))!;
    const binhRow = anRow === 2 ? 3 : 2;
    const agencyCode = String(sheet.getRow(2).getCell(col('Mã đơn vị')).value);
    const positionCode = String(sheet.getRow(2).getCell(col('Mã vị trí việc làm')).value);

    // The office types An's full national ID over the masked one; Bình's row stays as exported.
    sheet.getRow(anRow).getCell(idCol).value = an.nationalId;
    // Row 4: a new person, date typed as text the Vietnamese way. Row 5 left blank. Row 6: a date cell and an ID typed as a number.
    const cuc = makeNationalId({ birthYear: 1996, female: true });
    const dung = makeNationalId({ birthYear: 1992 });
    const put = (r: number, values: Record<string, unknown>) => {
      for (const [name, v] of Object.entries(values)) sheet.getRow(r).getCell(col(name)).value = v as ExcelJS.CellValue;
      sheet.getRow(r).commit();
    };
    put(4, { 'Mã đơn vị': agencyCode, 'Mã vị trí việc làm': positionCode, 'Họ và tên': 'Lê Thị Cúc', 'Ngày sinh': '14/02/1996', 'Giới tính': 'Nữ', 'Dân tộc': 'Tày', 'Số CCCD (đã che)': cuc, 'Nguyện vọng': 1 });
    put(6, { 'Mã đơn vị': agencyCode, 'Mã vị trí việc làm': positionCode, 'Họ và tên': 'Phạm Văn Dũng', 'Ngày sinh': new Date(Date.UTC(1992, 6, 7)), 'Giới tính': 'Nam', 'Dân tộc': 'Kinh', 'Số CCCD (đã che)': Number(dung) });
    sheet.getRow(6).getCell(col('Ngày sinh')).numFmt = 'dd/mm/yyyy';

    const res = await xlsxImport(d.driveId, await workbookBuffer(wb));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.summary).toEqual({ rows: 4, created: 2, exists: 1, errors: 1 });
    const byRow = new Map((res.body.results as { row: number }[]).map((r) => [r.row, r]));
    expect([...byRow.keys()].sort()).toEqual([2, 3, 4, 6]);
    expect(byRow.get(anRow)).toMatchObject({ status: 'exists', candidateId: an.id });
    expect(byRow.get(binhRow)).toMatchObject({ status: 'error', errors: [{ code: 'import.national_id_masked', field: 'nationalId' }] });
    expect(byRow.get(4)).toMatchObject({ status: 'created' });
    expect(byRow.get(6)).toMatchObject({ status: 'created' });

    expect(await applicationsOf(d.driveId)).toBe(4);
    const people = await t.sql<{ full_name: string; birth_date: string; gender: string; national_id_masked: string }>(
      `select c.full_name, c.birth_date::text as birth_date, c.gender, c.national_id_masked
         from applications a join candidates c on c.id = a.candidate_id where a.drive_id = $1 order by c.full_name`,
      [d.driveId],
    );
    expect(people.find((p) => p.full_name === 'Lê Thị Cúc')).toMatchObject({ birth_date: '1996-02-14', gender: 'female', national_id_masked: maskNationalId(cuc) });
    // The leading zero Excel dropped from a national ID typed as a number is put back.
    expect(people.find((p) => p.full_name === 'Phạm Văn Dũng')).toMatchObject({ birth_date: '1992-07-07', gender: 'male', national_id_masked: maskNationalId(dung) });
  });

  it('when a workbook has the English field names, then rows import as from CSV and a bad dd/mm/yyyy date is its row’s error at Excel’s row number', async () => {
    const d = await createOpenDriveNow(t);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Import');
    sheet.addRow(['fullName', 'nationalId', 'birthDate', 'gender', 'ethnicity', 'quotaId']);
    sheet.addRow(['Hoàng Văn Em', makeNationalId({ birthYear: 1993 }), '1993-09-01', 'male', 'Kinh', d.quotaId]);
    sheet.addRow(['Đỗ Thị Gấm', makeNationalId({ birthYear: 1994, female: true }), '30/02/1994', 'female', 'Kinh', d.quotaId]);
    sheet.addRow(['Vũ Văn Hải', makeNationalId({ birthYear: 1991 }), '05/11/1991', 'nam', 'Mường', d.quotaId]);

    const res = await xlsxImport(d.driveId, await workbookBuffer(wb));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.summary).toEqual({ rows: 3, created: 2, exists: 0, errors: 1 });
    expect(res.body.results).toMatchObject([
      { row: 2, status: 'created' },
      { row: 3, status: 'error', errors: [{ code: 'row.invalid', field: 'birthDate' }] },
      { row: 4, status: 'created' },
    ]);
    expect(await applicationsOf(d.driveId)).toBe(2);
  });

  it('when a workbook is sent with Prefer: respond-async, then the job reads it as the request would, Excel’s row numbers kept', async () => {
    const d = await createOpenDriveNow(t);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Import');
    sheet.addRow(['Họ và tên', 'Số CCCD', 'Ngày sinh', 'Giới tính', 'Dân tộc', 'Mã chỉ tiêu']);
    sheet.addRow(['Hoàng Văn Em', makeNationalId({ birthYear: 1993 }), '01/09/1993', 'Nam', 'Kinh', d.quotaId]);
    sheet.addRow([]);
    sheet.addRow(['Đỗ Thị Gấm', makeNationalId({ birthYear: 1994, female: true }), '31/04/1994', 'Nữ', 'Kinh', d.quotaId]);
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .set('prefer', 'respond-async')
      .set('content-type', XLSX)
      .send(await workbookBuffer(wb));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.progress.total).toBe(2);
    const job = await waitForJob(t, res.body.id);
    expect(job.state).toBe('succeeded');
    expect(job.result).toEqual({ summary: { rows: 2, created: 1, exists: 0, errors: 1 } });
    const report = await t.http.get(job.resultUrl!).set(bearer(t.adminKey));
    expect(report.status).toBe(200);
    expect(report.body.results).toMatchObject([
      { row: 2, status: 'created' },
      { row: 4, status: 'error', errors: [{ code: 'row.invalid', field: 'birthDate' }] },
    ]);
  });

  it('when the workbook’s header has an unknown column, then 400 import.invalid_header and nothing is written', async () => {
    const d = await createOpenDriveNow(t);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Import');
    sheet.addRow(['Họ và tên', 'Số CCCD', 'Ngày sinh', 'Giới tính', 'Dân tộc', 'Mã chỉ tiêu', 'Ghi chú']);
    sheet.addRow(['Hoàng Văn Em', makeNationalId({ birthYear: 1993 }), '01/09/1993', 'Nam', 'Kinh', d.quotaId, 'x']);
    const res = await xlsxImport(d.driveId, await workbookBuffer(wb));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'import.invalid_header' });
    expect(res.body.detail).toContain('Ghi chú');
    expect(await applicationsOf(d.driveId)).toBe(0);
  });

  it('when the body is not a workbook, or its worksheet XML is broken, then 400 import.malformed_xlsx (problem+json), never a 500', async () => {
    const d = await createOpenDriveNow(t);
    const notZip = await xlsxImport(d.driveId, Buffer.from('fullName,nationalId\nAn,001095000001\n'));
    expect(notZip.status).toBe(400);
    expect(notZip.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notZip.body).toMatchObject({ code: 'import.malformed_xlsx' });

    const broken = workbookWithSheet(
      Buffer.from('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>fullName</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>An</t></is></c'),
    );
    const res = await xlsxImport(d.driveId, broken);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'import.malformed_xlsx' });

    // A truncated file: its zip directory is gone.
    const cut = await xlsxImport(d.driveId, broken.subarray(0, broken.length - 30));
    expect(cut.status).toBe(400);
    expect(cut.body).toMatchObject({ code: 'import.malformed_xlsx' });
    expect(await applicationsOf(d.driveId)).toBe(0);
  });

  it('when a workbook is a zip bomb (declared or hidden behind a false size), then 422 import.xlsx_too_large or 400 import.malformed_xlsx before any row is read', async () => {
    const d = await createOpenDriveNow(t);
    // 64 MiB of XML whitespace deflates to ~64 KiB: a thousandfold expansion.
    const huge = Buffer.alloc(64 * 1_048_576, 0x20);
    const declared = await xlsxImport(d.driveId, workbookWithSheet(huge));
    expect(declared.status, JSON.stringify(declared.body)).toBe(422);
    expect(declared.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(declared.body).toMatchObject({ code: 'import.xlsx_too_large' });

    const hidden = await xlsxImport(d.driveId, workbookWithSheet(huge, 1000));
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(400);
    expect(hidden.body).toMatchObject({ code: 'import.malformed_xlsx' });
    expect(hidden.body.detail).toContain('expands beyond');
    expect(await applicationsOf(d.driveId)).toBe(0);
  });
});

describe('exceljs at start', () => {
  it('when the server’s modules are loaded, then exceljs is not; it is loaded by the first workbook (and the probe sees it then)', async () => {
    // A fresh process imports the server entry's module graph (src/server.ts's own imports: app, config,
    // database client, migrator, CLI bootstrap) and lists the CommonJS modules Node has loaded (exceljs is CommonJS).
    const root = path.resolve(import.meta.dirname, '../..');
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).filter((k) => k.includes('/node_modules/exceljs/')).length;
      for (const m of ['app', 'config', 'db/client', 'db/migrate', 'db/data-key', 'http/metrics', 'http/rate-limits', 'logger', 'cli/bootstrap']) {
        await import('./src/' + m + '.ts');
      }
      const atStart = loaded();
      const { loadExcelJs } = await import('./src/modules/exports/exceljs.ts');
      await loadExcelJs();
      process.stdout.write(JSON.stringify({ atStart, afterFirstWorkbook: loaded() }));
    `;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`probe exited ${code}: ${stderr}`))));
    });
    const probe = JSON.parse(out) as { atStart: number; afterFirstWorkbook: number };
    expect(probe.atStart).toBe(0);
    expect(probe.afterFirstWorkbook).toBeGreaterThan(10);
  });
});
