import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractProblemCodes } from '../../src/cli/problem-codes.js';
import { PROBLEM_CODES } from '../../src/http/problem-codes.generated.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { auth, listen, send, type OpenApiDocument } from './openapi-support.js';

/*
 * Every error code listed, with `type` URIs that resolve (issue 19, item 1): the committed catalogue
 * agrees with the codes the source raises, the document lists them on the Problem schema, and the
 * `type` of a real problem answer is a URL this API serves, describing that code.
 */

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false' } });
  base = await listen(t);
});
afterAll(async () => {
  await t?.close();
});

describe('the catalogue of problem codes', () => {
  it('agrees with the codes raised in src/ (run npm run problems:generate after adding one)', async () => {
    const extracted = await extractProblemCodes('src');
    expect(PROBLEM_CODES).toEqual(extracted);
    expect(PROBLEM_CODES.length).toBeGreaterThan(300);
    for (const code of ['auth.unauthorized', 'auth.forbidden', 'rate_limited', 'precondition.failed', 'quota.exceeds_unused_headcount', 'score.invalid', 'problem.not_found']) {
      expect(PROBLEM_CODES.map((p) => p.code)).toContain(code);
    }
    expect(PROBLEM_CODES.filter((p) => !p.description)).toEqual([]);
  });

  it('is listed in the document on the Problem schema', () => {
    const doc = t.app.swagger() as unknown as OpenApiDocument & { components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> } };
    expect(doc.components.schemas.Problem!.properties.code!['x-codes']).toEqual(PROBLEM_CODES.map((p) => p.code));
    expect(doc.paths['/problems/{code}']?.get).toBeTruthy();
  });
});

describe('problem type URIs resolve to a page describing the code', () => {
  it('a 404 names its code and an absolute type URL that answers with that code’s description, as JSON and as HTML', async () => {
    const res = await send(base, 'get', `/v1/agencies/${randomUUID()}`, { headers: auth(t.adminKey) });
    expect(res.status).toBe(404);
    const problem = res.json as { type: string; code: string };
    expect(problem.code).toBe('agency.not_found');
    expect(problem.type).toBe(`${base}/problems/agency.not_found`);

    const page = await fetch(problem.type);
    expect(page.status).toBe(200);
    const entry = (await page.json()) as { code: string; type: string; statuses: number[]; description: string };
    expect(entry).toMatchObject({ code: 'agency.not_found', type: problem.type, statuses: [404] });
    expect(entry.description).toMatch(/agency/);

    const html = await fetch(problem.type, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('<code>agency.not_found</code>');
  });

  it('every code met here is in the catalogue, and an unknown code is a 404 problem', async () => {
    const met: string[] = [];
    met.push(((await send(base, 'get', '/v1/agencies')).json as { code: string }).code);
    met.push(((await send(base, 'get', '/v1/nothing-here', { headers: auth(t.adminKey) })).json as { code: string }).code);
    met.push(((await send(base, 'get', '/v1/agencies?limit=abc', { headers: auth(t.adminKey) })).json as { code: string }).code);
    const known = new Set(PROBLEM_CODES.map((p) => p.code));
    expect(met.filter((c) => !known.has(c))).toEqual([]);

    const unknown = await send(base, 'get', '/problems/no.such_code');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'problem.not_found', type: `${base}/problems/problem.not_found` });

    const all = await send(base, 'get', '/problems');
    expect(all.status).toBe(200);
    expect((all.json as { items: unknown[] }).items).toHaveLength(PROBLEM_CODES.length);
  });
});
