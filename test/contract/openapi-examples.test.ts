import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_EXAMPLES } from '../../src/http/openapi-examples.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { operationsOf, type OpenApiDocument, type Operation } from './openapi-support.js';

/*
 * Request body examples (issue 19, item 1): every example the document carries is valid against its
 * operation's schema (Ajv 2020, formats checked), names an operation that exists, and the main flow
 * of a drive has one.
 */

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const BASE = 'https://tuyendung.test/openapi.json';

let t: TestApp;
let doc: OpenApiDocument;
let ops: Operation[];

beforeAll(async () => {
  t = await setupApp({ env: { WEBHOOK_WORKER: 'false' } });
  doc = t.app.swagger() as unknown as OpenApiDocument;
  ops = operationsOf(doc);
});
afterAll(async () => {
  await t?.close();
});

const rebase = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(rebase);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `${BASE}${x}` : rebase(x)]));
  }
  return v;
};

type JsonMedia = { schema?: object; example?: unknown };
const jsonMedia = (op: Operation) => (op.raw.requestBody?.content as Record<string, JsonMedia> | undefined)?.['application/json'];

describe('request body examples', () => {
  it('every example in the document is valid against its schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: BASE, components: (doc as { components?: object }).components ?? {} });
    const invalid: string[] = [];
    let checked = 0;
    for (const op of ops) {
      const media = jsonMedia(op);
      if (!media || media.example === undefined || !media.schema) continue;
      checked++;
      const validate = ajv.compile(rebase(media.schema) as object);
      if (!validate(media.example)) invalid.push(`${op.key}: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 400)}`);
    }
    expect(invalid).toEqual([]);
    expect(checked).toBe(Object.keys(REQUEST_EXAMPLES).length);
  });

  it('names only operations that exist and take a JSON body', () => {
    const withBody = new Set(ops.filter((op) => jsonMedia(op)).map((op) => op.key));
    expect(Object.keys(REQUEST_EXAMPLES).filter((k) => !withBody.has(k))).toEqual([]);
  });

  it('the main flow of a drive has examples: agencies, positions, drives, quotas, candidates, applications, rounds, scores, results, workflow', () => {
    const main = [
      'POST /v1/agencies',
      'PUT /v1/agencies/{id}/headcount/{year}',
      'POST /v1/job-positions',
      'POST /v1/drives',
      'POST /v1/drives/{id}/transitions',
      'POST /v1/drives/{id}/quotas',
      'POST /v1/candidates',
      'POST /v1/drives/{id}/applications',
      'POST /v1/drives/{id}/applications/import',
      'POST /v1/applications/{id}/eligibility',
      'POST /v1/drives/{id}/rounds',
      'POST /v1/rounds/{id}/transitions',
      'PUT /v1/rounds/{id}/scores',
      'PUT /v1/rounds/{id}/marks',
      'POST /v1/drives/{id}/results/compute',
      'POST /v1/drives/{id}/results/approve',
    ];
    const missing = main.filter((key) => jsonMedia(ops.find((o) => o.key === key)!)?.example === undefined);
    expect(missing).toEqual([]);
  });
});
