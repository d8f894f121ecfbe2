import { randomBytes } from 'node:crypto';
import { bearer, type TestApp } from '../helpers/app.js';
import { createOpenDrive } from './drives.js';

/*
 * Builders for rounds, scripts and marks. Drives and quotas are made through the API (drives
 * factory); candidates and applications are inserted directly until their endpoints exist.
 */

export type SeededApplication = { id: string; candidateId: string; candidateNumber: string; fullName: string };

const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Khánh', 'Linh', 'Minh', 'Ngọc', 'Phúc', 'Quân'];

/** Applications (with their candidates) registered to a quota; status 'eligible' unless told. */
export async function seedApplications(
  t: TestApp,
  opts: { driveId: string; quotaId: string; count: number; exemptions?: string[]; status?: string },
): Promise<SeededApplication[]> {
  const out: SeededApplication[] = [];
  for (let i = 0; i < opts.count; i++) {
    const tag = randomBytes(4).toString('hex');
    const fullName = `Trần Thị ${GIVEN[i % GIVEN.length]} ${tag}`;
    const [cand] = await t.sql<{ id: string }>(
      `insert into candidates (id, full_name, full_name_search, national_id_ciphertext, national_id_index, national_id_masked, birth_date, gender, ethnicity, nationality)
       values (gen_random_uuid(), $1, $2, 'x', $3, '001******' , '1995-05-05', 'female', 'Kinh', 'VN') returning id`,
      [fullName, fullName.toLowerCase(), `idx-${tag}-${i}`],
    );
    const candidateNumber = `TS${tag.toUpperCase()}`;
    const [app] = await t.sql<{ id: string }>(
      `insert into applications (id, drive_id, quota_id, candidate_id, status, exemptions, candidate_number)
       values (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, $6) returning id`,
      [opts.driveId, opts.quotaId, cand!.id, opts.status ?? 'eligible', JSON.stringify(opts.exemptions ?? []), candidateNumber],
    );
    out.push({ id: app!.id, candidateId: cand!.id, candidateNumber, fullName });
  }
  return out;
}

export type PartBody = {
  code: string;
  name?: string;
  maxScore: string;
  passMark?: string | null;
  weight?: number;
  markingMode?: 'single' | 'double' | 'panel';
  panelSize?: number | null;
  written?: boolean;
  /** Written on computer (Decree 170/2025 Art. 9(2)(b)): scores are the machine's export. */
  computer?: boolean;
};

export type RoundBody = {
  order?: number;
  code?: string;
  name?: string;
  kind?: 'gate' | 'scored';
  ranking?: boolean;
  exemptionCodes?: string[];
  scheduledOn?: string | null;
  parts?: PartBody[];
};

export const writtenPart = (code = 'written', extra: Partial<PartBody> = {}): PartBody => ({
  code,
  name: 'Thi viết chuyên ngành',
  maxScore: '100',
  weight: 1,
  markingMode: 'double',
  written: true,
  ...extra,
});

export function roundBody(overrides: RoundBody = {}) {
  return {
    order: 2,
    code: 'round2',
    name: 'Vòng 2 — thi môn nghiệp vụ chuyên ngành',
    kind: 'scored' as const,
    ranking: true,
    exemptionCodes: [],
    parts: [writtenPart()],
    ...overrides,
  };
}

export async function createRound(t: TestApp, driveId: string, overrides: RoundBody = {}, key = t.adminKey) {
  const res = await t.http.post(`/v1/drives/${driveId}/rounds`).set(bearer(key)).send(roundBody(overrides));
  if (res.status !== 201) throw new Error(`createRound: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; version: number; status: string; parts: { id: string; code: string }[] };
}

export async function moveRound(t: TestApp, roundId: string, to: string, key = t.adminKey) {
  const res = await t.http.post(`/v1/rounds/${roundId}/transitions`).set(bearer(key)).send({ to });
  if (res.status !== 200) throw new Error(`round → ${to}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; version: number; publishedAt: string | null };
}

export async function issueScripts(t: TestApp, roundId: string, key = t.adminKey) {
  const res = await t.http.post(`/v1/rounds/${roundId}/scripts`).set(bearer(key));
  if (res.status !== 200) throw new Error(`issueScripts: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { issued: number; existing: number; exempt: number };
}

/** The map code → application, read from the database (tests only: no API gives it before reveal). */
export async function codesOf(t: TestApp, roundId: string, partCode?: string): Promise<Map<string, string>> {
  const rows = await t.sql<{ code: string; application_id: string }>(
    `select s.code, s.application_id from scripts s join parts p on p.id = s.part_id where s.round_id = $1 ${partCode ? 'and p.code = $2' : ''}`,
    partCode ? [roundId, partCode] : [roundId],
  );
  return new Map(rows.map((r) => [r.application_id, r.code]));
}

export async function putMarks(t: TestApp, roundId: string, key: string, rows: { code: string; slot: string; score: string | number }[]) {
  return t.http.put(`/v1/rounds/${roundId}/marks`).set(bearer(key)).send(rows);
}

/**
 * A drive in marking with `count` applications and one round (default: one double-marked written
 * part), scripts issued. Returns everything a marking test needs.
 */
export async function markingSetup(
  t: TestApp,
  opts: { count?: number; round?: RoundBody; preset?: 'nd138' | 'nd115' | 'nd170' | 'nd170-300' | 'leadership'; overrides?: Record<string, unknown>; staffCategory?: 'civil_servant' | 'public_employee' } = {},
) {
  const drive = await createOpenDrive(t, {
    ...(opts.preset ? { preset: opts.preset } : {}),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
    ...(opts.staffCategory ? { staffCategory: opts.staffCategory } : {}),
  });
  const apps = await seedApplications(t, { driveId: drive.driveId, quotaId: drive.quotaId, count: opts.count ?? 3 });
  const round = await createRound(t, drive.driveId, opts.round ?? {});
  await issueScripts(t, round.id);
  await moveRound(t, round.id, 'marking');
  return { ...drive, apps, round };
}
