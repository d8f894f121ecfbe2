import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { buildSmallDrive } from '../factories/reports.js';

/*
 * Issue 12, item 19: CSV formula injection, also after a `;` (Excel in a Vietnamese locale splits
 * lines at `;`, whatever the quotes). Every field is quoted; a formula sign at the start of a field,
 * or at the start of any `;`- or line-separated piece of it, gets a single quote before it; the
 * numbers the service writes (counts, scores, a negative figure) stay plain numbers.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const NAMES = ['a;=1+1', '=HYPERLINK("http://x.example";"Bấm")', '@SUM(A1:A9)', 'Lê Văn; @cmd', 'Phạm Thị; "=2+2', 'Hoàng Văn Em'];
/** Six applications for the drive: two more names replace the last two in the database. */
const NAMES_WITH_PLACEHOLDERS = [...NAMES.slice(0, 4), 'Tab Placeholder', 'Cr Placeholder'];
/** Stored directly (the API trims and collapses whitespace in names, so these only arrive by other paths). */
const TAB_NAME = '\t=1+2';
const CR_NAME = '\r=1+3';

async function csv(path: string): Promise<string> {
  const res = await t.http
    .get(path)
    .set(bearer(t.adminKey))
    .set('accept', 'text/csv')
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  return (res.body as Buffer).subarray(3).toString('utf8');
}

/** What could start a formula: = + - @ after spaces or quotes. */
const FORMULA = /^[\s"]*[=+\-@]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** The checks every exported CSV must pass. */
function expectSafe(text: string) {
  // Every field quoted: the whole file is "…" fields separated by commas and CRLF.
  expect(/^(?:"(?:[^"]|"")*"(?:,|\r\n))*$/.test(text)).toBe(true);
  // As a comma-splitting spreadsheet reads it: no text cell starts a formula.
  for (const row of parse(text) as string[][]) {
    for (const cell of row) if (!PLAIN_NUMBER.test(cell)) expect(cell).not.toMatch(FORMULA);
  }
  // As Excel with `;` as list separator reads it: split at every `;` and line break, quotes ignored.
  for (const piece of text.split(/[;\r\n]/).slice(1)) expect(piece).not.toMatch(FORMULA);
}

describe('CSV export formula injection (issue 12 item 19)', () => {
  it('when names, positions and reasons carry formulas after a ;, a tab or a CR, then every field is quoted and every piece neutralised, text kept readable', async () => {
    const d = await buildSmallDrive(t, { fullNames: NAMES_WITH_PLACEHOLDERS });
    await t.sql('update quotas set title = $1 where id = $2', ['Chuyên viên;=1+1', d.q1]);
    await t.sql('update quotas set title = $1 where id = $2', ['+Kế toán', d.q2]);
    await t.sql(`update candidates set full_name = $1 where full_name = 'Tab Placeholder'`, [TAB_NAME]);
    await t.sql(`update candidates set full_name = $1 where full_name = 'Cr Placeholder'`, [CR_NAME]);
    await t.sql(`update applications set reasons = $1::jsonb where id = $2`, [JSON.stringify([{ code: 'x', message: 'Thiếu bằng; -2+3' }, { code: 'y', message: '@Giấy tờ' }]), d.apps.f]);

    const text = await csv(`/v1/drives/${d.driveId}/applications/export`);
    expectSafe(text);
    const rows = parse(text) as string[][];
    const col = (h: string) => rows[0]!.indexOf(h);
    const names = rows.slice(1).map((r) => r[col('Họ và tên')]);
    expect(names).toEqual(
      expect.arrayContaining([
        "a;'=1+1",
        `'=HYPERLINK("http://x.example";"Bấm")`,
        "'@SUM(A1:A9)",
        "Lê Văn;' @cmd",
        `'${TAB_NAME}`,
        // The leading CR, and the line break before `=`: both quoted.
        "'\r'=1+3",
      ]),
    );
    expect(rows.slice(1).map((r) => r[col('Vị trí / chức danh')])).toEqual(expect.arrayContaining(["Chuyên viên;'=1+1", "'+Kế toán"]));
    expect(rows.slice(1).map((r) => r[col('Lý do')])).toContain("Thiếu bằng;' -2+3;' @Giấy tờ");
    // Numbers the service writes are left as they are.
    expect(rows.slice(1).map((r) => r[col('Điểm ưu tiên')]).every((v) => PLAIN_NUMBER.test(v!))).toBe(true);
  });

  it('when a name has a quoted formula after a ;, then the quote goes before the quote', async () => {
    const d = await buildSmallDrive(t, { fullNames: NAMES });
    const text = await csv(`/v1/drives/${d.driveId}/applications/export`);
    expectSafe(text);
    const rows = parse(text) as string[][];
    expect(rows.slice(1).map((r) => r[rows[0]!.indexOf('Họ và tên')])).toEqual(expect.arrayContaining([`Phạm Thị;' "=2+2`, 'Hoàng Văn Em']));
  });

  it('when the results export holds scores, ranks and a negative figure, then they stay plain numbers and text is neutralised', async () => {
    const d = await buildSmallDrive(t, { fullNames: [...NAMES.slice(0, 3), ...NAMES.slice(4)].concat('Vũ Thị Phương') });
    await t.sql(`update results set explanation = jsonb_build_object('text', 'Đạt; =1+1'), ranking_score = -1.5 where drive_id = $1 and rank = 1`, [d.driveId]);
    const text = await csv(`/v1/drives/${d.driveId}/results/export`);
    expectSafe(text);
    const rows = parse(text) as string[][];
    const col = (h: string) => rows[0]!.indexOf(h);
    const body = rows.slice(1);
    expect(body.map((r) => r[col('Tổng điểm xét')])).toContain('-1.50');
    expect(body.map((r) => r[col('Giải thích')])).toContain("Đạt;' =1+1");
    for (const r of body) {
      for (const h of ['Thứ hạng', 'Điểm vòng 2', 'Điểm ưu tiên', 'Tổng điểm xét', 'Chỉ tiêu']) {
        const v = r[col(h)]!;
        if (v !== '') expect(v).toMatch(PLAIN_NUMBER);
      }
    }
  });
});
