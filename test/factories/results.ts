import { expect } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';
import { createCandidate, windowAroundToday } from './candidates.js';
import { addQuota, createAgencyWithHeadcount, createDrive, createJobPosition, openDrive, transitionDrive } from './drives.js';
import { createRound, moveRound, type RoundBody } from './rounds.js';

/*
 * Builders for the results flow, through the API: a drive with quotas, registered candidates,
 * rounds with imported final scores, locked and revealed.
 */

type StaffCategory = 'civil_servant' | 'public_employee';
type Preset = 'nd138' | 'nd115' | 'nd170' | 'nd170-300' | 'leadership';

export type DriveSetup = { driveId: string; agencyId: string; quotaIds: string[]; jobPositionIds: string[] };

/** An open drive (window around today) with one quota per entry of `slots`. */
export async function openDriveWithQuotas(
  t: TestApp,
  opts: { kind?: 'recruitment' | 'leadership'; staffCategory?: StaffCategory; preset?: Preset; overrides?: Record<string, unknown>; slots: number[]; titles?: string[] },
): Promise<DriveSetup> {
  const kind = opts.kind ?? 'recruitment';
  const staffCategory = opts.staffCategory ?? 'civil_servant';
  const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory, year: 2025, name: 'Sở Nội vụ Hà Nội' });
  const window = windowAroundToday();
  const driveId = await createDrive(t, {
    organizingAgencyId: agencyId,
    kind,
    staffCategory,
    ...(opts.preset ? { preset: opts.preset } : {}),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
    registrationOpensOn: window.registrationOpensOn,
    registrationClosesOn: window.registrationClosesOn,
  });
  const quotaIds: string[] = [];
  const jobPositionIds: string[] = [];
  for (const [i, slots] of opts.slots.entries()) {
    const jobPositionId = await createJobPosition(t, agencyId, {
      staffCategory,
      leadership: kind === 'leadership',
      name: kind === 'leadership' ? (opts.titles?.[i] ?? `Trưởng phòng ${i + 1}`) : `Chuyên viên ${i + 1}`,
    });
    jobPositionIds.push(jobPositionId);
    // Public-employee positions open to NV2, as a notice designates them (Decree 115/2020 Art. 14(6)).
    const nv2 = kind === 'recruitment' && opts.preset === 'nd115';
    quotaIds.push(await addQuota(t, driveId, { agencyId, jobPositionId, ...(kind === 'recruitment' ? { slots } : {}), ...(nv2 ? { secondChoiceOpen: true } : {}) }));
  }
  await openDrive(t, driveId);
  return { driveId, agencyId, quotaIds, jobPositionIds };
}

export type Registrant = {
  fullName: string;
  quotaId: string;
  choice?: 1 | 2;
  priorityClaims?: { category: string; evidenceRef: string }[];
  exemptions?: string[];
  candidateId?: string;
};

/** Registers candidates (creating them unless candidateId is given); returns application ids in order. */
export async function registerAll(t: TestApp, driveId: string, people: Registrant[]): Promise<{ applicationId: string; candidateId: string }[]> {
  const out: { applicationId: string; candidateId: string }[] = [];
  for (const p of people) {
    const candidateId = p.candidateId ?? (await createCandidate(t, { fullName: p.fullName, ...(p.priorityClaims ? { priorityClaims: p.priorityClaims } : {}) })).id;
    const res = await t.http
      .post(`/v1/drives/${driveId}/applications`)
      .set(bearer(t.adminKey))
      .send({
        candidateId,
        quotaId: p.quotaId,
        ...(p.choice ? { choice: p.choice } : {}),
        ...(p.priorityClaims ? { priorityClaims: p.priorityClaims } : {}),
        ...(p.exemptions ? { exemptions: p.exemptions } : {}),
      });
    if (res.status !== 201) throw new Error(`register ${p.fullName}: ${res.status} ${JSON.stringify(res.body)}`);
    out.push({ applicationId: res.body.id, candidateId });
  }
  return out;
}

/** open → closed → examining → marking. */
export async function toMarking(t: TestApp, driveId: string): Promise<void> {
  await transitionDrive(t, driveId, 'closed');
  await transitionDrive(t, driveId, 'examining');
  await transitionDrive(t, driveId, 'marking');
}

export type ScoreRow = { applicationId: string; partCode: string; score?: string; correct?: number; absent?: boolean };

/** A round with directly imported final scores, locked and revealed. */
export async function scoredRound(t: TestApp, driveId: string, round: RoundBody, scores: ScoreRow[]): Promise<string> {
  const r = await createRound(t, driveId, round);
  await moveRound(t, r.id, 'marking');
  const res = await t.http.put(`/v1/rounds/${r.id}/scores?atomic=true`).set(bearer(t.adminKey)).send(scores);
  if (res.status !== 200) throw new Error(`scores: ${res.status} ${JSON.stringify(res.body)}`);
  await moveRound(t, r.id, 'locked');
  const rev = await t.http.post(`/v1/rounds/${r.id}/reveal`).set(bearer(t.adminKey));
  if (rev.status !== 200) throw new Error(`reveal: ${rev.status} ${JSON.stringify(rev.body)}`);
  return r.id;
}

/** Round 1 (computer, gate: general knowledge 60 questions, foreign language 30). */
export const round1 = (): RoundBody => ({
  order: 1,
  code: 'round1',
  name: 'Vòng 1 — thi trắc nghiệm trên máy tính',
  kind: 'gate',
  ranking: false,
  exemptionCodes: ['input_quality_verified'],
  parts: [
    { code: 'general_knowledge', name: 'Kiến thức chung', maxScore: '60', weight: 0, markingMode: 'single', written: false },
    { code: 'foreign_language', name: 'Ngoại ngữ', maxScore: '30', weight: 0, markingMode: 'single', written: false },
  ],
});

/** Round 2 (ranking, one professional part on 100). */
export const round2 = (parts: RoundBody['parts'] = undefined): RoundBody => ({
  order: 2,
  code: 'round2',
  name: 'Vòng 2 — thi môn nghiệp vụ chuyên ngành',
  kind: 'scored',
  ranking: true,
  exemptionCodes: [],
  parts: parts ?? [{ code: 'professional', name: 'Nghiệp vụ chuyên ngành', maxScore: '100', weight: 1, markingMode: 'single', written: false }],
});

export async function compute(t: TestApp, driveId: string, key = t.adminKey) {
  return t.http.post(`/v1/drives/${driveId}/results/compute`).set(bearer(key)).send({});
}

export async function computeOk(t: TestApp, driveId: string, key = t.adminKey) {
  const res = await compute(t, driveId, key);
  if (res.status !== 200) throw new Error(`compute: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

type Row = { applicationId: string; resultId: string; outcome: string; rank: number | null; explanation: string; gate: { passed: boolean; reasons: { code: string; message: string }[] }; [k: string]: unknown };
export type QuotaBody = { quotaId: string; status: string; winners: Row[]; reserves: Row[]; tied: Row[]; failed: Row[]; others: Row[]; [k: string]: unknown };

export async function resultsOf(t: TestApp, driveId: string, key = t.adminKey): Promise<Map<string, QuotaBody>> {
  const res = await t.http.get(`/v1/drives/${driveId}/results?limit=500`).set(bearer(key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new Map((res.body.items as QuotaBody[]).map((q) => [q.quotaId, q]));
}

/** All rows of a quota, by application id. */
export function rowsOf(q: QuotaBody): Map<string, Row> {
  return new Map([...q.winners, ...q.tied, ...q.reserves, ...q.failed, ...q.others].map((r) => [r.applicationId, r]));
}

export async function workflow(t: TestApp, driveId: string, step: 'submit' | 'approve' | 'return' | 'publish', key = t.adminKey, body?: object) {
  return t.http.post(`/v1/drives/${driveId}/results/${step}`).set(bearer(key)).send(body ?? {});
}
