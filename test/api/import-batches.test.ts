import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_BATCH_ROWS } from '../../src/modules/applications/applications.import.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createOpenDriveNow, makeNationalId } from '../factories/candidates.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const count = async (text: string, params: unknown[]) => (await t.sql<{ n: number }>(`select count(*)::int as n from ${text}`, params))[0]!.n;
const HEADER = 'fullName,nationalId,birthDate,gender,ethnicity,nationality,quotaId';
/** Rows spanning three batches: two full ones and a short last one. */
const ROWS = IMPORT_BATCH_ROWS * 2 + 10;

function csvImport(driveId: string, csv: string, atomic = false) {
  return t.http
    .post(`/v1/drives/${driveId}/applications/import${atomic ? '?atomic=true' : ''}`)
    .set(bearer(t.adminKey))
    .set('content-type', 'text/csv; charset=utf-8')
    .send(Buffer.from(csv, 'utf8'));
}

/** ROWS rows; row 2 of the second batch has a bad date; the last row repeats row 1's national ID for the same quota. */
function bigFile(quotaId: string) {
  // Odd rows are men, even rows women, each national ID agreeing with its row's gender.
  const ids = Array.from({ length: ROWS }, (_, i) => makeNationalId({ female: (i + 1) % 2 === 0 }));
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    const row = i + 1;
    const id = row === ROWS ? ids[0] : ids[i];
    const birth = row === IMPORT_BATCH_ROWS + 2 ? '1995-02-30' : '1995-03-01';
    const male = row === ROWS ? true : row % 2 === 1;
    lines.push(`Nguyễn Văn  Hàng ${row},${id},${birth},${male ? 'nam' : 'nữ'},Kinh,,${quotaId}`);
  }
  return lines.join('\r\n') + '\r\n';
}

describe('bulk import across batches', () => {
  it('when a file spans several batches, then every row is reported once and in order, a repeat is caught across batches, and each batch is one audit event', async () => {
    const d = await createOpenDriveNow(t, { slots: 10 });
    const file = bigFile(d.quotaId);
    const res = await csvImport(d.driveId, file);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ rows: ROWS, created: ROWS - 2, exists: 0, errors: 2 });
    const results = res.body.results as { row: number; status: string; applicationId?: string; errors?: { code: string; field?: string; message: string }[] }[];
    expect(results.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(results[IMPORT_BATCH_ROWS + 1]).toMatchObject({ status: 'error', errors: [{ code: 'row.invalid', field: 'birthDate' }] });
    expect(results[ROWS - 1]).toMatchObject({ status: 'error', errors: [{ code: 'import.duplicate_in_file', field: 'nationalId' }] });
    expect(results[ROWS - 1]!.errors![0]!.message).toContain('row 1 ');
    expect(new Set(results.filter((r) => r.status === 'created').map((r) => r.applicationId)).size).toBe(ROWS - 2);
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(ROWS - 2);
    expect(await count("audit_events where drive_id = $1 and action = 'applications.imported'", [d.driveId])).toBe(3);
    // Names are stored normalised, with their search key; genders as codes.
    const [one] = await t.sql<{ full_name: string; full_name_search: string; gender: string; nationality: string }>(
      'select c.full_name, c.full_name_search, c.gender, c.nationality from applications a join candidates c on c.id = a.candidate_id where a.id = $1',
      [results[1]!.applicationId],
    );
    expect(one).toEqual({ full_name: 'Nguyễn Văn Hàng 2', full_name_search: 'nguyen van hang 2', gender: 'female', nationality: 'VN' });

    // The same file again: every good row now exists, nothing is written twice.
    const again = await csvImport(d.driveId, file);
    expect(again.body.summary).toEqual({ rows: ROWS, created: 0, exists: ROWS - 2, errors: 2 });
    expect(again.body.results[1].applicationId).toBe(results[1]!.applicationId);
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(ROWS - 2);
  }, 120_000);

  it('when an atomic import spanning several batches has an error in its last batch, then nothing of the earlier batches is written', async () => {
    const d = await createOpenDriveNow(t, { slots: 10 });
    const candidatesBefore = await count('candidates', []);
    const res = await csvImport(d.driveId, bigFile(d.quotaId), true);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('import.failed');
    expect(res.body.summary).toEqual({ rows: ROWS, created: 0, exists: 0, errors: 2 });
    expect(res.body.results).toHaveLength(ROWS);
    expect(await count('applications where drive_id = $1', [d.driveId])).toBe(0);
    expect(await count('candidates', [])).toBe(candidatesBefore);
  }, 120_000);
});
