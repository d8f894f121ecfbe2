import { randomInt } from 'node:crypto';
import { addDays, localDate } from '../../src/domain/deadlines.js';
import { bearer, type TestApp } from '../helpers/app.js';
import { createOpenDrive } from './drives.js';

/*
 * Data builders for candidates and applications, through the API.
 */

const used = new Set<string>();

/** A valid, unique national ID (CCCD): province 001–096, century/sex digit, birth year, 6 digits. */
export function makeNationalId(opts: { birthYear?: number; female?: boolean } = {}): string {
  for (;;) {
    const year = opts.birthYear ?? 1995;
    const century = year >= 2000 ? 2 : 0;
    const province = String(randomInt(1, 97)).padStart(3, '0');
    const id = `${province}${century + (opts.female ? 1 : 0)}${String(year % 100).padStart(2, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/** Today in Vietnam, and a registration window around it. */
export const today = () => localDate(new Date());
export const windowAroundToday = () => ({ registrationOpensOn: addDays(today(), -2), registrationClosesOn: addDays(today(), 20) });

export type CandidateInput = {
  fullName?: string;
  nationalId?: string;
  birthDate?: string;
  gender?: 'male' | 'female' | 'other';
  ethnicity?: string;
  nationality?: string;
  contacts?: { email?: string | null; phone?: string | null; address?: string | null };
  priorityClaims?: { category: string; evidenceRef: string }[];
};

export function candidateBody(o: CandidateInput = {}) {
  const birthDate = o.birthDate ?? '1995-05-20';
  const gender = o.gender ?? 'male';
  return {
    fullName: o.fullName ?? 'Nguyễn Văn An',
    // A national ID whose century/sex and year digits agree with the birth date and gender.
    nationalId: o.nationalId ?? makeNationalId({ birthYear: Number(birthDate.slice(0, 4)), female: gender === 'female' }),
    birthDate,
    gender,
    ethnicity: o.ethnicity ?? 'Kinh',
    ...(o.nationality ? { nationality: o.nationality } : {}),
    contacts: o.contacts ?? { email: 'an.nguyen@example.vn', phone: '0912345678', address: '12 Tràng Tiền, Hoàn Kiếm, Hà Nội' },
    ...(o.priorityClaims ? { priorityClaims: o.priorityClaims } : {}),
  };
}

export async function createCandidate(t: TestApp, o: CandidateInput = {}, key = t.adminKey): Promise<{ id: string; nationalId: string; version: number }> {
  const body = candidateBody(o);
  const res = await t.http.post('/v1/candidates').set(bearer(key)).send(body);
  if (res.status !== 201) throw new Error(`createCandidate: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, nationalId: body.nationalId, version: res.body.version };
}

/** An open drive whose registration window includes today. */
export const createOpenDriveNow = (t: TestApp, opts: Parameters<typeof createOpenDrive>[1] = {}) =>
  createOpenDrive(t, { ...windowAroundToday(), ...opts });

export async function register(
  t: TestApp,
  driveId: string,
  body: { candidateId: string; quotaId: string; choice?: 1 | 2; priorityClaims?: { category: string; evidenceRef: string }[]; exemptions?: string[] },
  key = t.adminKey,
) {
  return t.http.post(`/v1/drives/${driveId}/applications`).set(bearer(key)).send(body);
}
