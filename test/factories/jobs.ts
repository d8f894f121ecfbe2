import { expect } from 'vitest';
import { bearer, type TestApp } from '../helpers/app.js';
import { makeNationalId } from './candidates.js';

export type JobBody = {
  id: string;
  kind: string;
  state: string;
  startedBy: { keyId: string | null };
  progress: { done: number; total: number | null; percent: number | null; estimatedSecondsLeft: number | null };
  result: unknown;
  problem: { code: string; status: number } | null;
  resultUrl: string | null;
  attempts: number;
};

const ENDED = ['succeeded', 'failed', 'cancelled', 'expired'];

/** Polls GET /v1/jobs/{id} until the job is in one of `states` (by default: ended). */
export async function waitForJob(t: TestApp, id: string, key = t.adminKey, states = ENDED, timeoutMs = 120_000): Promise<JobBody> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http.get(`/v1/jobs/${id}`).set(bearer(key));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (states.includes(res.body.state)) return res.body as JobBody;
    if (Date.now() > until) throw new Error(`job ${id} still ${res.body.state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A CSV import of `n` new candidates into one quota (BOM, header, CRLF, as Excel writes it). */
export function importCsv(quotaId: string, n: number): string {
  const lines = ['fullName,nationalId,birthDate,gender,ethnicity,nationality,quotaId'];
  const seen = new Set<string>();
  while (seen.size < n) {
    const id = makeNationalId({ birthYear: 1985 + (seen.size % 15), female: seen.size % 2 === 1 });
    if (seen.has(id)) continue;
    seen.add(id);
    lines.push(`Nguyễn Văn Thí Sinh,${id},${1985 + ((seen.size - 1) % 15)}-03-0${1 + (seen.size % 9)},${seen.size % 2 === 0 ? 'female' : 'male'},Kinh,VN,${quotaId}`);
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Starts an import as a job: 202 with Location. */
export async function importAsJob(t: TestApp, driveId: string, csv: string, opts: { key?: string; atomic?: boolean } = {}) {
  return t.http
    .post(`/v1/drives/${driveId}/applications/import${opts.atomic ? '?atomic=true' : ''}`)
    .set(bearer(opts.key ?? t.adminKey))
    .set('prefer', 'respond-async')
    .set('content-type', 'text/csv; charset=utf-8')
    .send(Buffer.from(csv, 'utf8'));
}
