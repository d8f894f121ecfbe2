import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';

/*
 * Data builders for drives, through the API (so every row is made the way clients make it).
 * Each returns ids; pass `key` to act as another caller (default: the admin key).
 */

type StaffCategory = 'civil_servant' | 'public_employee';
const uniq = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function expectCreated(res: { status: number; body: { id?: string } }, what: string): Promise<string> {
  if (res.status !== 201) throw new Error(`creating ${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body.id).toBeTruthy();
  return res.body.id!;
}

/** An agency (optionally under a parent) with headcount for one year and category. */
export async function createAgencyWithHeadcount(
  t: TestApp,
  opts: { year?: number; staffCategory?: StaffCategory; assigned?: number; filled?: number; parentId?: string | null; name?: string; key?: string } = {},
): Promise<{ agencyId: string; year: number; staffCategory: StaffCategory }> {
  const key = opts.key ?? t.adminKey;
  const year = opts.year ?? 2025;
  const staffCategory = opts.staffCategory ?? 'civil_servant';
  const agencyId = await expectCreated(
    await t.http
      .post('/v1/agencies')
      .set(bearer(key))
      .send({ code: uniq('AG'), name: opts.name ?? 'Sở Nội vụ thử nghiệm', bloc: 'state', parentId: opts.parentId ?? null }),
    'agency',
  );
  const hc = await t.http
    .put(`/v1/agencies/${agencyId}/headcount/${year}`)
    .set(bearer(key))
    .send({ categories: [{ staffCategory, assigned: opts.assigned ?? 100, filled: opts.filled ?? 0 }] });
  if (hc.status !== 200) throw new Error(`setting headcount failed: ${hc.status} ${JSON.stringify(hc.body)}`);
  return { agencyId, year, staffCategory };
}

export async function createJobPosition(
  t: TestApp,
  agencyId: string,
  opts: { staffCategory?: StaffCategory; leadership?: boolean; name?: string; code?: string; key?: string } = {},
): Promise<string> {
  return expectCreated(
    await t.http
      .post('/v1/job-positions')
      .set(bearer(opts.key ?? t.adminKey))
      .send({
        agencyId,
        code: opts.code ?? uniq('VT'),
        name: opts.name ?? (opts.leadership ? 'Trưởng phòng Tổ chức cán bộ' : 'Chuyên viên quản lý nhân sự'),
        staffCategory: opts.staffCategory ?? 'civil_servant',
        leadership: opts.leadership ?? false,
      }),
    'job position',
  );
}

export type DriveOpts = {
  organizingAgencyId: string;
  kind?: 'recruitment' | 'leadership';
  staffCategory?: StaffCategory;
  year?: number;
  preset?: 'nd138' | 'nd115' | 'nd170' | 'nd170-300' | 'leadership';
  overrides?: Record<string, unknown>;
  /** Default: a date inside the preset's period (PLAN_DATES). null: not recorded. */
  planApprovedOn?: string | null;
  /** Default: historical for nd138 (repealed), else current. */
  use?: 'current' | 'historical' | 'provisional';
  registrationOpensOn?: string | null;
  registrationClosesOn?: string;
  name?: string;
  key?: string;
};

/**
 * Plan dates inside each preset's period (src/domain/preset-law.ts), so that drives whose
 * registration window is around today may still pin an older preset.
 */
export const PLAN_DATES = { nd138: '2025-01-15', nd115: '2026-03-01', nd170: '2026-03-01', 'nd170-300': '2026-08-15' } as const;
export const HISTORICAL_REASON = 'Recomputing a drive held under Decree 138/2020 (test data)';

/** A draft drive; by default a 2025 civil-servant recruitment under nd138 (historical) opening 2025-03-01. */
export async function createDrive(t: TestApp, opts: DriveOpts): Promise<string> {
  const kind = opts.kind ?? 'recruitment';
  const preset = opts.preset ?? (kind === 'leadership' ? 'leadership' : 'nd138');
  const use = opts.use ?? (preset === 'nd138' ? 'historical' : 'current');
  const planApprovedOn = opts.planApprovedOn !== undefined ? opts.planApprovedOn : preset === 'leadership' ? null : PLAN_DATES[preset];
  const body: Record<string, unknown> = {
    code: uniq('KT'),
    name: opts.name ?? (kind === 'leadership' ? 'Thi tuyển chức danh lãnh đạo 2025' : 'Kỳ tuyển dụng công chức 2025'),
    kind,
    staffCategory: opts.staffCategory ?? 'civil_servant',
    year: opts.year ?? 2025,
    organizingAgencyId: opts.organizingAgencyId,
    ruleSet: { preset, overrides: opts.overrides ?? {}, use, ...(use === 'historical' ? { reason: HISTORICAL_REASON } : {}) },
    ...(planApprovedOn !== null ? { planApprovedOn } : {}),
    registrationOpensOn: opts.registrationOpensOn === undefined ? '2025-03-01' : opts.registrationOpensOn,
  };
  if (opts.registrationClosesOn) body.registrationClosesOn = opts.registrationClosesOn;
  return expectCreated(await t.http.post('/v1/drives').set(bearer(opts.key ?? t.adminKey)).send(body), 'drive');
}

export async function addQuota(
  t: TestApp,
  driveId: string,
  opts: { agencyId: string; jobPositionId: string; slots?: number; title?: string; secondChoiceOpen?: boolean; key?: string },
): Promise<string> {
  const { key, ...body } = opts;
  return expectCreated(await t.http.post(`/v1/drives/${driveId}/quotas`).set(bearer(key ?? t.adminKey)).send(body), 'quota');
}

/** Moves a drive along its lifecycle through the API; throws with the problem on refusal. */
export async function transitionDrive(t: TestApp, driveId: string, to: string, opts: { reason?: string; key?: string } = {}) {
  const res = await t.http
    .post(`/v1/drives/${driveId}/transitions`)
    .set(bearer(opts.key ?? t.adminKey))
    .send({ to, ...(opts.reason ? { reason: opts.reason } : {}) });
  if (res.status !== 200) throw new Error(`transition to ${to} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; version: number };
}

export const openDrive = (t: TestApp, driveId: string, key?: string) => transitionDrive(t, driveId, 'open', key ? { key } : {});

/**
 * An open drive with one quota: agency (with headcount), job position, drive, quota — all ids.
 * The usual starting point for registering applications.
 */
export async function createOpenDrive(
  t: TestApp,
  opts: { kind?: 'recruitment' | 'leadership'; staffCategory?: StaffCategory; preset?: DriveOpts['preset']; overrides?: Record<string, unknown>; slots?: number; registrationOpensOn?: string; registrationClosesOn?: string } = {},
): Promise<{ agencyId: string; jobPositionId: string; driveId: string; quotaId: string }> {
  const kind = opts.kind ?? 'recruitment';
  const staffCategory = opts.staffCategory ?? 'civil_servant';
  const { agencyId } = await createAgencyWithHeadcount(t, { staffCategory });
  const jobPositionId = await createJobPosition(t, agencyId, { staffCategory, leadership: kind === 'leadership' });
  const driveId = await createDrive(t, {
    organizingAgencyId: agencyId,
    kind,
    staffCategory,
    ...(opts.preset ? { preset: opts.preset } : staffCategory === 'public_employee' && kind === 'recruitment' ? { preset: 'nd115' as const } : {}),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
    ...(opts.registrationOpensOn ? { registrationOpensOn: opts.registrationOpensOn } : {}),
    ...(opts.registrationClosesOn ? { registrationClosesOn: opts.registrationClosesOn } : {}),
  });
  // Public-employee positions open to NV2, as a notice designates them (Decree 115/2020 Art. 14(6)).
  const nv2 = kind === 'recruitment' && staffCategory === 'public_employee' && (opts.preset ?? 'nd115') === 'nd115';
  const quotaId = await addQuota(t, driveId, { agencyId, jobPositionId, ...(kind === 'recruitment' ? { slots: opts.slots ?? 3 } : {}), ...(nv2 ? { secondChoiceOpen: true } : {}) });
  await openDrive(t, driveId);
  return { agencyId, jobPositionId, driveId, quotaId };
}
