import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { problemTypeUrl } from './errors.js';
import { problems } from './openapi.js';
import { PROBLEM_CODES } from './problem-codes.generated.js';

/*
 * The pages problem `type` URIs resolve to (RFC 9457 §3.1.1; issue 19, item 1): GET /problems/{code}
 * describes one code of the catalogue (src/http/problem-codes.generated.ts), as JSON or, for a
 * browser (Accept: text/html), as a small page; GET /problems lists them all. Public, no key.
 */

const byCode = new Map(PROBLEM_CODES.map((p) => [p.code, p]));

const entrySchema = z
  .object({
    code: z.string(),
    type: z.string().meta({ description: 'The URL of this page: the `type` of problems with this code' }),
    statuses: z.array(z.number().int()).meta({ description: 'HTTP statuses the code comes with; empty when it is reported per row or item' }),
    description: z.string(),
  })
  .meta({ id: 'ProblemCode' });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(entry: z.infer<typeof entrySchema>): string {
  const statuses = entry.statuses.length > 0 ? entry.statuses.join(', ') : 'reported per row or item';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' +
    escapeHtml(entry.code) +
    ' — tuyendung API problem</title></head><body><h1><code>' +
    escapeHtml(entry.code) +
    '</code></h1><p>' +
    escapeHtml(entry.description) +
    '</p><p>HTTP status: ' +
    escapeHtml(statuses) +
    '</p><p>Problem details (RFC 9457) carry this code in <code>code</code> and this page’s URL in <code>type</code>; the request-specific ' +
    'explanation is in <code>detail</code>. <a href="/problems">All codes</a> · <a href="/docs">API documentation</a></p></body></html>\n'
  );
}

const wantsHtml = (accept: string | undefined) => {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
};

export const problemsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/problems', {
    config: { public: true },
    schema: {
      operationId: 'listProblemCodes',
      tags: ['operations'],
      summary: 'The catalogue of problem codes',
      description: 'Every stable `code` a problem+json answer (or a per-row report) can carry, with its statuses and meaning.',
      response: { 200: z.object({ items: z.array(entrySchema) }) },
    },
    handler: async (request) => ({ items: PROBLEM_CODES.map((p) => ({ ...p, type: problemTypeUrl(request, p.code) })) }),
  });

  app.get('/problems/:code', {
    config: { public: true },
    schema: {
      operationId: 'getProblemCode',
      tags: ['operations'],
      summary: 'What a problem code means (the page its `type` URI names)',
      description: 'JSON by default; a small HTML page for `Accept: text/html` (a browser following the `type` link). 404 problem.not_found.',
      params: z.object({ code: z.string().max(100) }),
      response: {
        200: {
          description: 'The code’s description',
          content: { 'application/json': { schema: entrySchema }, 'text/html': { schema: z.string() } },
        },
        ...problems(404),
      },
    },
    handler: async (request, reply) => {
      const found = byCode.get(request.params.code);
      if (!found) throw new AppError(404, 'problem.not_found', `No problem code ${request.params.code} in the catalogue`);
      const entry = { ...found, type: problemTypeUrl(request, found.code) };
      if (wantsHtml(request.headers.accept)) return reply.type('text/html; charset=utf-8').send(page(entry));
      return entry;
    },
  });
};
