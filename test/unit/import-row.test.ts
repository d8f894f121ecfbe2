import { describe, expect, it } from 'vitest';
import { isValidNationalId } from '../../src/domain/masking.js';
import { fastImportRow } from '../../src/modules/applications/applications.import-row.js';
import { importRowSchema } from '../../src/modules/applications/applications.schemas.js';

const QUOTA = '0190a0a0-0000-7000-8000-00000000abcd';
const base: Record<string, string> = {
  fullName: 'Nguyễn Thị Ánh',
  nationalId: '001196004567',
  birthDate: '1996-02-14',
  gender: 'nữ',
  ethnicity: 'Kinh',
  nationality: 'VN',
  email: 'anh@example.vn',
  phone: '0912 000 001',
  address: '12 Hàng Bài, Hà Nội',
  quotaId: QUOTA,
  priorityCategory: '',
  evidenceRef: '',
};

/** Cells to try in each column (undefined: the column is absent). */
const variants: Record<string, (string | undefined)[]> = {
  fullName: [undefined, '', ' ', '  Lê   Văn\tAn ', 'Nguye\u0302\u0303n Văn An', 'x'.repeat(200), 'x'.repeat(201), ' '.repeat(3) + 'y'],
  nationalId: [undefined, '', ' 001203004567 ', '001203004567', '00120300456', '000203004567', '097203004567', '0012030045678', '12345678901234567890123', '00120300456a'],
  birthDate: [undefined, '', '1990-02-30', ' 1990-01-31 ', '1990-1-1', '2024-02-29', '2023-02-29', '19900101', '14/02/1996', '1/2/1990', '30/02/1994', ' 05/11/1991 ', '14-02-1996', '2/30/1990'],
  gender: [undefined, '', 'male', 'FEMALE', ' Nam ', 'NỮ', 'Nu\u0303', 'khác', 'khac', 'x', 'Male '],
  ethnicity: [undefined, '', ' ', 'Tày', 'x'.repeat(100), 'x'.repeat(101)],
  nationality: [undefined, '', ' ', 'vn', ' fr ', 'VNM', 'V1'],
  email: [undefined, '', ' ', ' a@b.vn ', 'a@b', 'a..b@c.vn', 'x@y.com', `${'a'.repeat(250)}@b.vn`, '.a@b.vn', 'ä@b.vn'],
  phone: [undefined, '', ' ', '+84 912-000.001', '12345', '0912a', '1'.repeat(20), '1'.repeat(21)],
  address: [undefined, '', ' ', 'Số 1,  phố Huế', 'x'.repeat(501)],
  quotaId: [undefined, '', QUOTA, QUOTA.toUpperCase(), ` ${QUOTA}`, 'not-a-uuid', '0190a0a0-0000-9000-8000-00000000abcd', '00000000-0000-0000-0000-000000000000'],
  agencyCode: [undefined, '', ' ', 'SNV', ' SNV ', 'x'.repeat(65)],
  jobPositionCode: [undefined, '', 'VT-01', 'x'.repeat(64)],
  priorityCategory: [undefined, '', 'military_service', ' hero ', 'Hero', '1abc'],
  evidenceRef: [undefined, '', ' ', 'QĐ-1', 'x'.repeat(301)],
  choice: [undefined, '', '1', '2', ' 2 ', '3', '1.0', 'x', ' '],
  // Decree 170/2025 Art. 10(3): user agencies of a jointly recruited position, by code, best first.
  agencyPreferences: [undefined, '', ' ', 'SNV;SYT', ' SNV ;  SYT ', 'x'.repeat(2001)],
};

function withCell(row: Record<string, string>, key: string, value: string | undefined): Record<string, string> {
  const out: Record<string, string> = { ...row };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** The fast path either declines, or gives exactly the schema's answer for a row the schema accepts. */
function agrees(raw: unknown): boolean {
  const fast = fastImportRow(raw);
  if (fast === undefined) return false;
  const parsed = importRowSchema.safeParse(raw);
  expect(parsed.success, JSON.stringify(raw)).toBe(true);
  expect(fast, JSON.stringify(raw)).toStrictEqual(JSON.parse(JSON.stringify(parsed.data)));
  expect(isValidNationalId(fast.nationalId)).toBe(true);
  return true;
}

describe('import row fast path', () => {
  it('when ordinary CSV rows come in, then the fast path accepts them with the schema’s exact output', () => {
    expect(agrees(base)).toBe(true);
    expect(agrees({ ...base, priorityCategory: 'military_service', evidenceRef: 'QĐ-7', choice: '2' })).toBe(true);
    const byCodes = withCell(withCell({ ...base, agencyCode: 'SNV', jobPositionCode: 'VT-01' }, 'quotaId', undefined), 'email', '');
    expect(agrees(byCodes)).toBe(true);
  });

  it('when any one cell varies, then the fast path never accepts a row the schema refuses nor differs from its output', () => {
    let accepted = 0;
    let tried = 0;
    for (const [key, values] of Object.entries(variants)) {
      for (const value of values) {
        tried++;
        if (agrees(withCell(base, key, value))) accepted++;
        // The same cell without a quota id (the quota named by codes), and with a priority claim.
        if (agrees(withCell({ ...withCell(base, 'quotaId', undefined), agencyCode: 'SNV', jobPositionCode: 'VT-01' }, key, value))) accepted++;
        if (agrees(withCell({ ...base, priorityCategory: 'hero', evidenceRef: 'HC-1' }, key, value))) accepted++;
      }
    }
    expect(tried).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(tried); // most variants are valid and take the fast path
  });

  it('when cells vary together (seeded random combinations), then the answers still agree', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const keys = Object.keys(variants);
    for (let i = 0; i < 3000; i++) {
      let row: Record<string, unknown> = { ...base };
      for (let j = 0; j < 4; j++) {
        const key = keys[next() % keys.length]!;
        const values = variants[key]!;
        row = withCell(row as Record<string, string>, key, values[next() % values.length]);
      }
      agrees(row);
    }
  });

  it('when a row has an unknown field or a non-text value (JSON), then the fast path declines and the schema decides', () => {
    expect(fastImportRow({ ...base, extra: 'x' })).toBeUndefined();
    expect(fastImportRow({ ...base, choice: 2 })).toBeUndefined();
    expect(fastImportRow({ ...base, nationalId: 1203004567 })).toBeUndefined();
    expect(fastImportRow(null)).toBeUndefined();
    expect(fastImportRow([base])).toBeUndefined();
  });
});

describe('dates as an office types them (issue 19, item 4)', () => {
  it('when the priority category is the export’s Vietnamese label, then the schema reads it as its code (the fast path leaves it to the schema)', () => {
    const row = { ...base, priorityCategory: 'Thương binh', evidenceRef: 'QĐ-12' };
    expect(fastImportRow(row)).toBeUndefined();
    const parsed = importRowSchema.safeParse(row);
    expect(parsed.success).toBe(true);
    expect(parsed.data!.priorityCategory).toBe('war_invalid');
    expect(importRowSchema.safeParse({ ...row, priorityCategory: 'Không có nhãn này' }).success).toBe(false);
  });

  it('when a birth date is dd/mm/yyyy, then the schema and the fast path read it as the ISO date; an impossible one stays refused', () => {
    for (const [typed, iso] of [
      ['14/02/1996', '1996-02-14'],
      ['1/2/1990', '1990-02-01'],
    ] as const) {
      const row = { ...base, birthDate: typed };
      expect(importRowSchema.parse(row).birthDate).toBe(iso);
      expect(fastImportRow(row)?.birthDate).toBe(iso);
    }
    expect(importRowSchema.safeParse({ ...base, birthDate: '30/02/1994' }).success).toBe(false);
    expect(fastImportRow({ ...base, birthDate: '30/02/1994' })).toBeUndefined();
  });
});
