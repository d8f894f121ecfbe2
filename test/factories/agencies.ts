import { randomBytes } from 'node:crypto';
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/app.js';

export const uniqueCode = (prefix = 'AG') => `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;

export async function createAgency(
  t: TestApp,
  overrides: { code?: string; name?: string; bloc?: string; parentId?: string | null } = {},
  key = t.adminKey,
): Promise<{ id: string; code: string; name: string; version: number }> {
  const res = await t.http
    .post('/v1/agencies')
    .set(bearer(key))
    .send({ code: overrides.code ?? uniqueCode(), name: overrides.name ?? 'Sở Nội vụ', bloc: overrides.bloc ?? 'state', parentId: overrides.parentId ?? null });
  if (res.status !== 201) throw new Error(`createAgency: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function setHeadcount(
  t: TestApp,
  agencyId: string,
  year: number,
  categories: { staffCategory: 'civil_servant' | 'public_employee'; assigned: number; filled: number }[],
  key = t.adminKey,
) {
  const res = await t.http.put(`/v1/agencies/${agencyId}/headcount/${year}`).set(bearer(key)).send({ categories });
  if (res.status !== 200) throw new Error(`setHeadcount: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
