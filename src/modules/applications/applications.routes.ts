import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../http/auth.js';
import { expectedVersion, ifMatchHeaders, setEtag } from '../../http/etag.js';
import { claimOrReplay, idempotencyHeaders } from '../../http/idempotency.js';
import { problems } from '../../http/openapi.js';
import { problemTypeUrl } from '../../http/errors.js';
import { decodeCursor, idCursor, pageOf, toPage, withLink } from '../../http/pagination.js';
import { idParams } from '../../http/primitives.js';
import { READERS } from '../../http/roles.js';
import type { Role } from '../api-keys/api-keys.table.js';
import type { Spool } from '../../crypto/spool.js';
import { declaredCharset, spoolBody } from './applications.body.js';
import { csvRows, inspectCsv } from './applications.csv.js';
import { inspectJson, jsonRows } from './applications.json.js';
import { inspectXlsx, XLSX_TYPE, xlsxRows } from './applications.xlsx.js';
import { VIETNAMESE_IMPORT_HEADERS } from './applications.columns.js';
import { ImportFailedError, type ApplicationsImporter, type ImportReport, type ImportResults } from './applications.import.js';
import {
  applicationSchema,
  driveParams,
  eligibilityBody,
  IMPORT_COLUMNS,
  importBody,
  importQuery,
  importResponseSchema,
  listApplicationsQuery,
  MAX_JSON_IMPORT_ROWS,
  registerBody,
  withdrawBody,
} from './applications.schemas.js';
import type { ApplicationsService } from './applications.service.js';
import { accepted, wantsAsync } from '../../http/prefer.js';
import { jobSchema, jobView, preferHeaders } from '../jobs/jobs.schemas.js';
import type { JobsService } from '../jobs/jobs.service.js';

const tags = ['applications'];
const REGISTRARS: readonly Role[] = ['registrar', 'organizer'];
const COUNCIL: readonly Role[] = ['council'];

const REGISTRATION_CODES =
  'Refusals: 422 application.window_closed (drive not open or today, Asia/Ho_Chi_Minh, outside the registration window); ' +
  '422 application.quota_not_in_drive; 422 application.candidate_not_found; 422 application.under_age (below the rule set’s ' +
  'minimum age on the closing date); 422 application.nationality; 422 application.barred; 422 application.second_choice_not_allowed ' +
  '(NV2 where the rule set allows one application); 422 application.unknown_exemption; 422 priority.unknown_category; ' +
  '422 application.ethnicity_restricted (a quota reserved for ethnic-minority candidates or named groups, Decree 170/2025 Art. 3(2)(c): ' +
  'the candidate is Kinh, of another group, or their ethnicity names none of the 54 groups; the problem carries `restriction` and `ethnicityCode`); ' +
  '422 application.agency_preferences_empty, application.agency_preferences_duplicate, application.agency_preference_not_user_agency, ' +
  'application.agency_preferences_first_mismatch, application.agency_preferences_not_joint (`agencyPreferences` of a jointly recruited ' +
  'position, Decree 170/2025 Art. 10(3): one or more distinct user agencies of the position, the quota’s agency first; none for another quota); ' +
  '409 application.duplicate (the candidate already holds an active application for this choice or quota: held by unique indexes).';

export const applicationsRoutes: FastifyPluginAsyncZod<{
  applications: ApplicationsService;
  importer: ApplicationsImporter;
  importBodyLimitBytes: number;
  /** Long work as jobs: with `Prefer: respond-async` the import is queued (202). */
  jobs?: JobsService;
  spool: Spool;
}> = async (app, { applications, importer, importBodyLimitBytes, spool, jobs }) => {

  app.post('/drives/:id/applications', {
    config: { roles: REGISTRARS, idempotent: true },
    schema: {
      operationId: 'registerApplication',
      tags,
      summary: 'Register a candidate to a quota of an open drive',
      description:
        'Priority points are the highest claimed category’s value in the drive’s frozen rule set (no stacking). ' + REGISTRATION_CODES,
      params: driveParams,
      headers: idempotencyHeaders,
      body: registerBody,
      response: { 201: applicationSchema, ...problems(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const created = await applications.register(callerOf(request), request.params.id, request.body);
      setEtag(reply, created.version);
      return reply.code(201).header('location', `/v1/applications/${created.id}`).send(created);
    },
  });

  app.get('/drives/:id/applications', {
    config: { roles: READERS },
    schema: {
      operationId: 'listApplications',
      tags,
      summary: 'List a drive’s applications',
      description: 'Filters: quotaId, status, candidateId, agencyId (the quota’s agency), q (candidate name). Scoped to the key’s agency subtree.',
      params: driveParams,
      querystring: listApplicationsQuery,
      response: { 200: pageOf(applicationSchema), ...problems(404) },
    },
    handler: async (request, reply) => {
      const after = decodeCursor(request.query.cursor, idCursor);
      const rows = await applications.list(callerOf(request), request.params.id, request.query, after?.id);
      return withLink(request, reply, toPage(rows, request.query.limit, (a) => ({ id: a.id })));
    },
  });

  // Import bodies, CSV and JSON alike, reach the import handler as the raw stream: never buffered
  // (nor parsed whole) in memory. The parsers are replaced in this route's own scope only.
  await app.register(async (scope) => {
    const imports = scope.withTypeProvider<ZodTypeProvider>();
    imports.removeContentTypeParser('application/json');
    imports.addContentTypeParser(['application/json', 'text/csv', XLSX_TYPE], (_request, payload, done) => done(null, payload));
    imports.post('/drives/:id/applications/import', {
      config: { roles: REGISTRARS, idempotent: 'rows' },
      bodyLimit: importBodyLimitBytes,
      schema: {
        operationId: 'importApplications',
        tags,
        summary: 'Bulk import candidates and applications (JSON, CSV or XLSX)',
        description:
          `Body: \`application/json\` (an array of at most ${MAX_JSON_IMPORT_ROWS} row objects) or \`text/csv\` (UTF-8 with or without ` +
          'BOM, a header row, comma- or semicolon-separated as Excel saves it). Both are streamed, so 100,000 CSV rows are fine. ' +
          'Text is UTF-8 unless the Content-Type declares a charset (e.g. `text/csv; charset=windows-1258` or `iso-8859-1`: decoded); ' +
          'a body that is not valid UTF-8 and declares no other charset is refused whole with 400 import.encoding (naming the first bad byte). ' +
          `Or \`${XLSX_TYPE}\` (an Excel workbook, same body limit): the first worksheet, its first non-blank row the header; rows are ` +
          'numbered as Excel shows them (the header usually row 1, the first data row 2; blank rows keep their numbers and are skipped); ' +
          'date cells and numbers are read as their values (a national ID typed as a number gets its leading zeros back). A file that is ' +
          'not a workbook or whose XML is broken is 400 import.malformed_xlsx; one that expands beyond 100 times its size (plus 16 MiB; ' +
          'shared strings at most 128 MiB), a zip bomb, is 422 import.xlsx_too_large, before any row is read. ' +
          'Headers, in CSV and XLSX alike, are the field names below or the Vietnamese headers of the applications export ' +
          `(GET /v1/drives/{id}/applications/export), so an exported file can be edited and imported again: ${VIETNAMESE_IMPORT_HEADERS.join(', ')}; ` +
          'the export’s computed columns (Đơn vị, Vị trí / chức danh, Số báo danh, Trạng thái, Điểm ưu tiên, Miễn thi, Lý do, Thời điểm ' +
          'đăng ký) are ignored. A row whose national ID is still masked as exported is the row’s error import.national_id_masked. ' +
          `Columns / fields: ${IMPORT_COLUMNS.join(', ')}. Required: fullName, nationalId (12 digits), birthDate (YYYY-MM-DD or dd/mm/yyyy), ` +
          'gender (male|female|other, or nam|nữ|khác), ethnicity; nationality defaults to VN; the quota is `quotaId`, or `agencyCode` + ' +
          '`jobPositionCode`; `priorityCategory` needs `evidenceRef`; `choice` 1 (default) or 2; `agencyPreferences`, only for a quota of a ' +
          'jointly recruited position (Decree 170/2025 Art. 10(3)): the codes of the user agencies accepted, best first, separated by `;`, the ' +
          'row’s agency first (blank: that agency alone; errors as for a registration, e.g. application.agency_preference_not_user_agency). ' +
          'Candidates are matched by national ID: an existing candidate is reused as stored, otherwise created. ' +
          'Each row reports `created`, `exists` (that candidate already holds an application to that quota: a retried import creates ' +
          'every row exactly once) or `error` with codes: row.invalid / row.unknown_field (with field), national_id.invalid, ' +
          'import.duplicate_in_file (the national ID is already in an earlier row for the same choice or quota), and the ' +
          'registration refusals (application.quota_not_in_drive, application.under_age, application.nationality, application.barred, ' +
          'application.second_choice_not_allowed, priority.unknown_category, application.duplicate, application.ethnicity_restricted — ' +
          'the ethnicity is the stored one for a candidate the importing key already registered, else the row’s, mapped to the 54 groups). Rows are numbered from 1 ' +
          '(the CSV header is not counted; XLSX: Excel’s row numbers). Without `atomic`, rows commit in batches and good rows are kept; with `atomic=true` ' +
          'any row error refuses the whole import (422 import.failed with the per-row report; nothing written). ' +
          'Whole-request refusals: 404 drive.not_found, 422 application.window_closed, 400 import.invalid_header, ' +
          '400 import.malformed_csv, 400 import.malformed_xlsx, 422 import.xlsx_too_large, 400 import.invalid_body (also more JSON rows than the cap), 400 import.encoding, 413 request.too_large. ' +
          'Idempotency-Key is honoured for both media types. With `Prefer: respond-async` the body is checked as above, kept ' +
          '(encrypted) in the database, and the import runs as a job: 202 with Location /v1/jobs/{id} (progress in rows; the job’s result ' +
          'is the summary, its resultUrl the full report; cancellable between batches; 429 job.too_many over the key’s cap).',
        consumes: ['application/json', 'text/csv', XLSX_TYPE],
        params: driveParams,
        querystring: importQuery,
        headers: idempotencyHeaders.extend(preferHeaders.shape),
        body: importBody,
        response: { 200: importResponseSchema, 202: jobSchema, ...problems(404, 409, 422, 429) },
      },
      handler: async (request, reply) => {
        const caller = callerOf(request);
        const atomic = request.query.atomic === 'true';
        const body = request.body as Readable;
        const mediaType = (request.headers['content-type'] ?? '').toLowerCase();
        const json = mediaType.startsWith('application/json');
        const xlsx = mediaType.startsWith(XLSX_TYPE);
        // The generic Idempotency-Key hook skips streams: the key is claimed here, once the body's hash is known.
        const spooled = await spoolBody(spool, body, {
          limitBytes: importBodyLimitBytes,
          hashPrefix: `${request.method} ${request.url}\n${json ? 'json' : xlsx ? 'xlsx' : 'csv'}\n`,
          charset: xlsx ? undefined : declaredCharset(request.headers['content-type']),
          binary: xlsx,
        });
        // Once the body is in, processing may take longer than the idle-connection timeout: the
        // socket stays quiet meanwhile and must not be closed under a running import.
        request.raw.socket?.setTimeout(0);
        try {
          if (await claimOrReplay(app.idempotencyStore, request, reply, spooled.hash)) return reply;
          const claim = request.idempotency;
          const renew = claim ? setInterval(() => void app.idempotencyStore.renew(claim).catch(() => undefined), app.idempotencyStore.renewEveryMs) : undefined;
          try {
            // The whole body is checked (syntax, header, row cap) before any row is written.
            let rows: AsyncIterable<unknown>;
            let total: number;
            let delimiter = ',';
            let firstRow = 1;
            if (xlsx) {
              ({ rows: total, firstRow } = await inspectXlsx(spooled.file, { limitBytes: importBodyLimitBytes }));
              rows = xlsxRows(spooled.file);
            } else if (json) {
              total = (await inspectJson(spooled.file, MAX_JSON_IMPORT_ROWS)).rows;
              rows = jsonRows(spooled.file);
            } else {
              ({ delimiter, rows: total } = await inspectCsv(spooled.file));
              rows = csvRows(spooled.file, delimiter);
            }
            if (jobs && wantsAsync(request)) {
              // The drive is checked now (404, window closed) so that a refusal comes with the request, not with the job.
              await importer.check(caller, request.params.id);
              const job = await jobs.enqueue('applications.import', caller, { driveId: request.params.id, atomic, json, delimiter, xlsx, firstRow }, {
                driveId: request.params.id,
                total,
                input: spooled.file.read() as AsyncIterable<Buffer>,
              });
              return accepted(reply, jobView(job));
            }
            return await sendImport(request, reply, () => importer.run(caller, request.params.id, rows, { atomic, firstRow }));
          } finally {
            if (renew) clearInterval(renew);
          }
        } finally {
          await spooled.file.discard();
        }
      },
    });
  });

  /**
   * Sends the import report as a stream: the summary, then the per-row results read back from the
   * importer's temporary file. Fastify's serializer does not run on streams, so the body is written
   * here in exactly the documented shape (ApplicationImportReport; the Problem with `summary` and
   * `results` for 422 import.failed). A claimed Idempotency-Key stores the same body in pieces
   * before it is sent, as the generic hook does for other routes.
   */
  async function sendImport(request: FastifyRequest, reply: FastifyReply, run: () => Promise<ImportReport>): Promise<FastifyReply> {
    let status: number;
    let head: string;
    let results: ImportResults;
    let type: string;
    try {
      const report = await run();
      status = 200;
      type = 'application/json; charset=utf-8';
      head = JSON.stringify({ summary: report.summary });
      results = report.results;
    } catch (err) {
      if (!(err instanceof ImportFailedError)) throw err;
      status = 422;
      type = 'application/problem+json; charset=utf-8';
      // The members and their order are those of sendProblem (src/http/errors.ts).
      head = JSON.stringify({
        type: problemTypeUrl(request, err.code),
        title: 'Unprocessable Content',
        status: 422,
        detail: err.message,
        code: err.code,
        requestId: String(request.id),
        instance: request.url.split('?')[0],
        summary: err.summary,
      });
      results = err.results;
    }
    const prefix = `${head.slice(0, -1)},"results":[`;
    async function* parts(): AsyncGenerator<string> {
      yield prefix;
      yield* results.chunks();
      yield ']}';
    }
    try {
      reply.code(status).type(type);
      const claim = request.idempotency;
      if (claim) {
        const contentType = reply.getHeader('content-type');
        await app.idempotencyStore.completeStreamed(claim, status, contentType ? { 'content-type': String(contentType) } : {}, parts());
        request.idempotency = null;
      }
    } catch (err) {
      await results.discard();
      throw err;
    }
    const stream = Readable.from(parts());
    stream.once('close', () => void results.discard());
    return reply.send(stream);
  }

  app.get('/applications/:id', {
    config: { roles: READERS },
    schema: {
      operationId: 'getApplication',
      tags,
      summary: 'Get an application',
      params: idParams,
      response: { 200: applicationSchema, ...problems(404) },
    },
    handler: async (request, reply) => {
      const found = await applications.get(callerOf(request), request.params.id);
      setEtag(reply, found.version);
      return found;
    },
  });

  app.post('/applications/:id/eligibility', {
    config: { roles: COUNCIL, members: ['council', 'form_check'] },
    schema: {
      operationId: 'decideApplicationEligibility',
      tags,
      summary: 'Council eligibility decision',
      description:
        'Sets the application eligible or ineligible (with reasons); re-decidable, audited, never deleted. 409 application.withdrawn for ' +
        'a withdrawn application. Honours If-Match (412). Roles: council. Member binding: once the drive records its boards, only a key ' +
        'bound to a member of the council or the form-check board (403 member.key_required; On-Behalf-Of does not count).',
      params: idParams,
      headers: ifMatchHeaders,
      body: eligibilityBody,
      response: { 200: applicationSchema, ...problems(404, 409, 412) },
    },
    handler: async (request, reply) => {
      const decided = await applications.decideEligibility(callerOf(request), request.params.id, expectedVersion(request), request.body);
      setEtag(reply, decided.version);
      return decided;
    },
  });

  app.post('/applications/:id/withdraw', {
    config: { roles: REGISTRARS },
    schema: {
      operationId: 'withdrawApplication',
      tags,
      summary: 'Withdraw an application',
      description:
        'The application is kept with status withdrawn (and its candidate number, if issued); the candidate may register again. ' +
        'Audited. 409 application.already_withdrawn. Honours If-Match (412).',
      params: idParams,
      headers: ifMatchHeaders,
      body: withdrawBody,
      response: { 200: applicationSchema, ...problems(404, 409, 412) },
    },
    handler: async (request, reply) => {
      const withdrawn = await applications.withdraw(callerOf(request), request.params.id, expectedVersion(request), request.body?.reason);
      setEtag(reply, withdrawn.version);
      return withdrawn;
    },
  });
};
