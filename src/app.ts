import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from './config.js';
import type { Clock } from './context.js';
import type { Database } from './db/client.js';
import { openSpool, type Spool } from './crypto/spool.js';
import { authPlugin } from './http/auth.js';
import { frameworkErrorHandler, registerErrorHandling } from './http/errors.js';
import { registerEmptyBodyAsObject, registerJsonBodyParser, registerNulByteGuard } from './http/json-body.js';
import { idempotencyPlugin } from './http/idempotency.js';
import { registerMetrics } from './http/metrics.js';
import { trackRouteMethods } from './http/method-not-allowed.js';
import { observeServices, registerDomainMetrics } from './http/domain-metrics.js';
import { addStandardResponses, registerOpenApi } from './http/openapi.js';
import { operationsRoutes, type Readiness } from './http/operations.js';
import { problemsRoutes } from './http/problems.js';
import { registerRateLimits } from './http/rate-limits.js';
import { httpServerOptions, limitSockets } from './http/sockets.js';
import { serializerCompiler } from './http/serializer.js';
import { createLogger, requestLine } from './logger.js';
import { createAgenciesRepository } from './modules/agencies/agencies.repository.js';
import { agenciesRoutes } from './modules/agencies/agencies.routes.js';
import { createAgenciesService } from './modules/agencies/agencies.service.js';
import { createApiKeysRepository } from './modules/api-keys/api-keys.repository.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { startAuditCheckpoints } from './modules/audit/audit.checkpointer.js';
import { auditKeyringOf, bindAuditKeyring } from './modules/audit/audit.writer.js';
import { createAuditKeyring } from './crypto/audit-keys.js';
import { createWebhooksRepository } from './modules/webhooks/webhooks.repository.js';
import { webhooksRoutes } from './modules/webhooks/webhooks.routes.js';
import { createWebhooksService, deactivateWebhooksOfKey } from './modules/webhooks/webhooks.service.js';
import { createWebhookWorker } from './modules/webhooks/webhooks.worker.js';
import { createDrivesRepository } from './modules/drives/drives.repository.js';
import { drivesRoutes } from './modules/drives/drives.routes.js';
import { ruleSetPresetsRoutes } from './modules/rule-set-presets/rule-set-presets.routes.js';
import { createDrivesService } from './modules/drives/drives.service.js';
import { createResultsRepository } from './modules/results/results.repository.js';
import { publicResultsRoutes, resultsRoutes } from './modules/results/results.routes.js';
import { createResultsService } from './modules/results/results.service.js';
import { createJobPositionsRepository } from './modules/job-positions/job-positions.repository.js';
import { jobPositionsRoutes } from './modules/job-positions/job-positions.routes.js';
import { createJobPositionsService } from './modules/job-positions/job-positions.service.js';
import { createQuotasRepository } from './modules/quotas/quotas.repository.js';
import { quotasRoutes } from './modules/quotas/quotas.routes.js';
import { createQuotasService } from './modules/quotas/quotas.service.js';
import { createAppealsRepository } from './modules/appeals/appeals.repository.js';
import { identityRoutes } from './modules/identity/identity.routes.js';
import { createIdentityService } from './modules/identity/identity.service.js';
import { appealsRoutes } from './modules/appeals/appeals.routes.js';
import { createAppealsService } from './modules/appeals/appeals.service.js';
import { createRoundsRepository } from './modules/rounds/rounds.repository.js';
import { roundsRoutes } from './modules/rounds/rounds.routes.js';
import { createRoundsService } from './modules/rounds/rounds.service.js';
import { createMarkingRepository } from './modules/marking/marking.repository.js';
import { markingRoutes } from './modules/marking/marking.routes.js';
import { createMarkingService } from './modules/marking/marking.service.js';
import { disciplineRoutes } from './modules/discipline/discipline.routes.js';
import { createDisciplineService } from './modules/discipline/discipline.service.js';
import { createNationalIdProtector } from './crypto/national-id.js';
import { createCandidatesRepository } from './modules/candidates/candidates.repository.js';
import { candidatesRoutes } from './modules/candidates/candidates.routes.js';
import { createCandidatesService } from './modules/candidates/candidates.service.js';
import { createApplicationsRepository } from './modules/applications/applications.repository.js';
import { applicationsRoutes } from './modules/applications/applications.routes.js';
import { assignCandidateNumbers, createApplicationsService } from './modules/applications/applications.service.js';
import { createApplicationsImporter } from './modules/applications/applications.import.js';
import { createReportsRepository } from './modules/reports/reports.repository.js';
import { reportsRoutes } from './modules/reports/reports.routes.js';
import { createReportsService } from './modules/reports/reports.service.js';
import { createExportsRepository } from './modules/exports/exports.repository.js';
import { exportsRoutes } from './modules/exports/exports.routes.js';
import { createExportsService } from './modules/exports/exports.service.js';
import { createBoardsRepository } from './modules/boards/boards.repository.js';
import { createIntakeRepository } from './modules/intake/intake.repository.js';
import { intakeRoutes } from './modules/intake/intake.routes.js';
import { createIntakeService } from './modules/intake/intake.service.js';
import { boardsRoutes } from './modules/boards/boards.routes.js';
import { memberDriveScope } from './modules/boards/boards.scope.js';
import { createBoardsService } from './modules/boards/boards.service.js';
import { createCalendarRepository } from './modules/calendar/calendar.repository.js';
import { calendarRoutes } from './modules/calendar/calendar.routes.js';
import { createCalendarService } from './modules/calendar/calendar.service.js';
import { createFraudFindings, fraudFindingRoutes } from './modules/applications/applications.fraud.js';
import { appointmentsRoutes, publicAppointmentsRoutes } from './modules/appointments/appointments.routes.js';
import { createAppointmentsService } from './modules/appointments/appointments.service.js';
import { startAppointmentSweeps } from './modules/appointments/appointments.sweeper.js';
import { timelineRoutes } from './modules/timeline/timeline.routes.js';
import { createTimelineService } from './modules/timeline/timeline.service.js';
import { startTimelineSweeps } from './modules/timeline/timeline.sweeper.js';
import { createJobSealer } from './modules/jobs/jobs.crypto.js';
import { registerJobHandlers } from './modules/jobs/jobs.handlers.js';
import { registerJobsMetrics } from './modules/jobs/jobs.metrics.js';
import { createJobsRepository } from './modules/jobs/jobs.repository.js';
import { jobsRoutes } from './modules/jobs/jobs.routes.js';
import { createJobsService } from './modules/jobs/jobs.service.js';

export type AppDeps = {
  config: Config;
  database: Database;
  clock?: Clock;
  logger?: Logger;
  /** A shared store for rate limits across instances (ioredis client). */
  redis?: unknown;
  /** Flipped by the server entry on SIGTERM: /readyz then answers 503 for the drain period. */
  readiness?: Readiness;
  /** Where spans go instead of the OTLP exporter (e.g. an in-memory exporter); given, tracing is on. */
  spanProcessors?: readonly SpanProcessor[];
};

const ROUTER_OPTIONS = { ignoreTrailingSlash: true, maxParamLength: 200 };

/** TRUST_PROXY as Fastify takes it: a list of proxy addresses, or a number of hops in front of the service. */
const trustedProxies = (t: Config['trustProxy']) =>
  Array.isArray(t) ? [...t] : typeof t === 'number' ? (_address: string, hop: number) => hop < t : false;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the services once: plain functions over explicit dependencies. */
export function buildServices(deps: {
  database: Database;
  clock: Clock;
  dataKey?: string | undefined;
  dataKeysRetired?: readonly string[];
  /** The audit chain key; when absent, the one already bound to this database handle. */
  auditKey?: string | undefined;
  auditKeysRetired?: readonly string[];
  auditVerifyMaxEvents?: number;
  spool: Spool;
  timelineDueSoonWorkingDays?: number;
}) {
  const { db } = deps.database;
  const auditKeyring = deps.auditKey ? createAuditKeyring(deps.auditKey, deps.auditKeysRetired) : auditKeyringOf(db);
  bindAuditKeyring(db, auditKeyring);
  const agenciesRepo = createAgenciesRepository(db);
  const quotasRepo = createQuotasRepository(db);
  const agencies = createAgenciesService({
    db,
    repo: agenciesRepo,
    clock: deps.clock,
    reservedSlots: (tx, agencyId, year, category) => quotasRepo.reservedSlots(tx, agencyId, year, category),
  });
  const apiKeys = createApiKeysService({
    db,
    repo: createApiKeysRepository(db),
    agencies: agenciesRepo,
    onRevoked: deactivateWebhooksOfKey(createWebhooksRepository(db)),
  });
  const audit = createAuditService({
    db,
    repo: createAuditRepository(db),
    keyring: auditKeyring,
    clock: deps.clock,
    verifyMaxEvents: deps.auditVerifyMaxEvents ?? 20_000,
  });
  const jobPositionsRepo = createJobPositionsRepository(db);
  const jobPositions = createJobPositionsService({ db, repo: jobPositionsRepo, agencies: agenciesRepo });
  const drives = createDrivesService({
    db,
    repo: createDrivesRepository(db),
    agencies: agenciesRepo,
    clock: deps.clock,
    // Candidate numbers (số báo danh) are issued in the transaction that closes registration.
    onRegistrationClosed: async (tx, driveId) => {
      await assignCandidateNumbers(tx, driveId);
    },
  });
  const quotas = createQuotasService({ db, repo: quotasRepo, drives, agencies: agenciesRepo, jobPositions: jobPositionsRepo });
  const roundsRepo = createRoundsRepository(db);
  const calendar = createCalendarService({ db, repo: createCalendarRepository(db) });
  const appeals = createAppealsService({ db, repo: createAppealsRepository(db), calendar, clock: deps.clock });
  const rounds = createRoundsService({ db, repo: roundsRepo, clock: deps.clock, appealPeriodOf: appeals.appealPeriodOf });
  const marking = createMarkingService({ db, repo: roundsRepo, marking: createMarkingRepository(db), rounds, clock: deps.clock });
  const discipline = createDisciplineService({ db, repo: roundsRepo, rounds, clock: deps.clock });
  // National IDs: the configured data key (required; generated into PGLITE_DIR on the embedded database).
  const nationalIds = createNationalIdProtector(deps.dataKey ?? '', deps.dataKeysRetired);
  const candidatesRepo = createCandidatesRepository(db);
  const applicationsRepo = createApplicationsRepository(db);
  const candidates = createCandidatesService({ db, repo: candidatesRepo, nationalIds, clock: deps.clock });
  const boards = createBoardsService({ db, repo: createBoardsRepository(db), rounds: roundsRepo, apiKeys: createApiKeysRepository(db), drives, nationalIds, clock: deps.clock });
  const applications = createApplicationsService({
    db,
    repo: applicationsRepo,
    candidates: candidatesRepo,
    clock: deps.clock,
    // A candidate who is a declared relative of a board member raises a conflict (170 Art. 8(3)).
    onRegistered: boards.raiseConflicts,
  });
  const applicationsImporter = createApplicationsImporter({
    db,
    repo: applicationsRepo,
    candidates: candidatesRepo,
    nationalIds,
    clock: deps.clock,
    onRegistered: boards.raiseConflicts,
    spool: deps.spool,
  });

  const identity = createIdentityService({ db, candidates: candidatesRepo, nationalIds, clock: deps.clock });
  const exports = createExportsService({ repo: createExportsRepository(db), drives });
  const timeline = createTimelineService({
    db,
    drives: createDrivesRepository(db),
    calendar,
    clock: deps.clock,
    dueSoonWorkingDays: deps.timelineDueSoonWorkingDays ?? 2,
  });
  const appointments = createAppointmentsService({
    db,
    drives: createDrivesRepository(db),
    calendar,
    timeline,
    clock: deps.clock,
    dueSoonWorkingDays: deps.timelineDueSoonWorkingDays ?? 2,
  });
  const results = createResultsService({
    db,
    repo: createResultsRepository(db),
    drives,
    clock: deps.clock,
    cancelWinnerPath: appointments.cancelWinner,
    appealGate: appeals.refuseWhileAppealsOpen,
    onApproved: identity.freezeAtApproval,
  });
  const reports = createReportsService({
    repo: createReportsRepository(db),
    drives,
    agencies: agenciesRepo,
    clock: deps.clock,
    overdue: async (drive) => ({ timelineSteps: await timeline.overdueCount(drive), appointmentSteps: await appointments.overdueCount(drive) }),
  });
  const intake = createIntakeService({ db, repo: createIntakeRepository(db), agencies: agenciesRepo, jobPositions: jobPositionsRepo, quotas, nationalIds, clock: deps.clock });
  return { agencies, apiKeys, audit, jobPositions, drives, quotas, rounds, appeals, identity, marking, discipline, candidates, applications, applicationsImporter, results, reports, exports, boards, calendar, timeline, appointments, intake };
}
export type Services = ReturnType<typeof buildServices>;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel, undefined, { pretty: config.logFormat === 'pretty' })) as FastifyBaseLogger,
    // One line per request, written at its end (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    trustProxy: trustedProxies(config.trustProxy),
    http: httpServerOptions(config),
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: ROUTER_OPTIONS,
  }).withTypeProvider<ZodTypeProvider>();
  const allowedMethods = trackRouteMethods(app, ROUTER_OPTIONS);
  // The public address of the API (PUBLIC_BASE_URL) for absolute links (src/http/pagination.ts).
  app.decorate('publicBaseUrl', config.publicBaseUrl ?? '');

  // Tracing loads the OpenTelemetry SDK only when switched on; its plugin comes before every route.
  if (config.tracing.enabled || deps.spanProcessors) {
    const { startTracing } = await import('./tracing-sdk.js');
    const tracing = startTracing({ serviceName: config.tracing.serviceName, otlpEndpoint: config.tracing.otlpEndpoint, spanProcessors: deps.spanProcessors });
    await app.register(tracing.fastifyPlugin);
    app.addHook('onClose', async () => tracing.shutdown());
  }
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(requestLine(request, reply.statusCode, reply.elapsedTime), 'request');
  });
  limitSockets(app, config);
  app.addHook('onRoute', addStandardResponses);
  // While shutting down, answers to in-flight requests close their keep-alive connection, so
  // close() is not held open by idle clients after the last response.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections?.();
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  registerErrorHandling(app, allowedMethods);
  registerJsonBodyParser(app);
  registerNulByteGuard(app);
  registerEmptyBodyAsObject(app);

  await app.register(helmet, {
    // The API serves JSON; the docs page needs its own scripts and styles.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    exposedHeaders: ['etag', 'location', 'link', 'x-request-id', 'retry-after', 'idempotent-replayed'],
  });
  const metrics = registerMetrics(app, () => database.poolStats());
  const domainMetrics = registerDomainMetrics(metrics, { db: database.db, cacheMs: config.metrics.dbCacheMs, log: app.log });
  const limitPerKey = await registerRateLimits(app, { config, redis: deps.redis, metrics, onRefused: domainMetrics.rateLimitRefused });
  await registerOpenApi(app, { serverUrl: config.publicBaseUrl });

  // Import bodies and reports, and exports being built, are spooled here (private, encrypted; crashed instances' files removed now).
  const spool = await openSpool(config.spoolDir);
  app.addHook('onClose', async () => spool.close());
  const services = buildServices({
    database,
    clock,
    dataKey: config.dataKey,
    dataKeysRetired: config.dataKeysRetired,
    auditKey: config.auditKey,
    auditKeysRetired: config.auditKeysRetired,
    auditVerifyMaxEvents: config.audit.verifyMaxEvents,
    spool,
    timelineDueSoonWorkingDays: config.timeline.dueSoonWorkingDays,
  });
  observeServices(services, domainMetrics);
  if (config.audit.checkpointIntervalMs > 0) {
    const checkpoints = startAuditCheckpoints(services.audit, config.audit.checkpointIntervalMs, app.log);
    app.addHook('onReady', async () => checkpoints.start());
    app.addHook('onClose', async () => checkpoints.stop());
  }
  // Long work as jobs (Prefer: respond-async): our own queue table, claimed under a lease (src/modules/jobs, README "Jobs").
  const jobsRepo = createJobsRepository(database.db);
  const jobs = createJobsService({
    db: database.db,
    repo: jobsRepo,
    sealer: createJobSealer(config.dataKey ?? '', config.dataKeysRetired),
    options: config.jobs,
    logger: app.log,
  });
  registerJobHandlers(jobs, { repo: jobsRepo, importer: services.applicationsImporter, results: services.results, exports: services.exports, audit: services.audit, spool });
  registerJobsMetrics(metrics, jobs);
  app.addHook('onReady', async () => jobs.start());
  // Before the database closes: running jobs stop at their next safe point and go back to the queue.
  app.addHook('onClose', async () => jobs.stop());
  const webhooksRepo = createWebhooksRepository(database.db);
  const webhooks = createWebhooksService({
    db: database.db,
    repo: webhooksRepo,
    agencies: createAgenciesRepository(database.db),
    allowPrivate: config.webhookAllowPrivate,
    maxPerKey: config.webhookMaxSubscriptionsPerKey,
  });
  if (config.webhookDelivery.worker) {
    const worker = createWebhookWorker({
      repo: webhooksRepo,
      logger: app.log,
      options: { ...config.webhookDelivery, allowPrivate: config.webhookAllowPrivate },
    });
    app.addHook('onReady', async () => worker.start());
    // Registered before the caller closes the database: the batch in flight finishes first.
    app.addHook('onClose', async () => worker.stop());
    // Due-soon and overdue timeline steps are raised beside the deliveries (each once, across instances).
    if (config.timeline.sweepIntervalMs > 0) {
      const sweeps = startTimelineSweeps(services.timeline, config.timeline.sweepIntervalMs, app.log);
      app.addHook('onReady', async () => sweeps.start());
      app.addHook('onClose', async () => sweeps.stop());
      const appointmentSweeps = startAppointmentSweeps(services.appointments, config.timeline.sweepIntervalMs, app.log);
      app.addHook('onReady', async () => appointmentSweeps.start());
      app.addHook('onClose', async () => appointmentSweeps.stop());
    }
  }

  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    await scope.register(operationsRoutes, { database, readiness: deps.readiness ?? { draining: false } });
    // The pages problem `type` URIs name (issue 19).
    await scope.register(problemsRoutes);
    scope.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  });

  await app.register(
    async (v1) => {
      v1.setValidatorCompiler(validatorCompiler);
      // Reads are written by serializers compiled from their response schemas (src/http/serializer.ts).
      v1.setSerializerCompiler(serializerCompiler);
      await v1.register(authPlugin, { db: database.db });
      await v1.register(memberDriveScope, { db: database.db });
      // After authentication: counted per API key (the address was counted before it).
      v1.addHook('onRequest', limitPerKey);
      await v1.register(idempotencyPlugin, {
        db: database.db,
        leaseMs: config.idempotencyLeaseMs,
        ttlMs: config.idempotencyTtlMs,
        sweepIntervalMs: config.idempotencySweepIntervalMs,
      });
      await v1.register(agenciesRoutes, { agencies: services.agencies });
      await v1.register(apiKeysRoutes, { apiKeys: services.apiKeys });
      await v1.register(roundsRoutes, { rounds: services.rounds });
      await v1.register(appealsRoutes, { appeals: services.appeals });
      await v1.register(identityRoutes, { identity: services.identity });
      await v1.register(markingRoutes, { marking: services.marking });
      await v1.register(disciplineRoutes, { discipline: services.discipline });
      await v1.register(auditRoutes, { audit: services.audit, jobs });
      await v1.register(webhooksRoutes, { webhooks });
      await v1.register(jobsRoutes, { jobs, repo: jobsRepo, eventsIntervalMs: config.jobs.eventsIntervalMs });
      await v1.register(jobPositionsRoutes, { jobPositions: services.jobPositions });
      await v1.register(drivesRoutes, { drives: services.drives });
      await v1.register(ruleSetPresetsRoutes);
      await v1.register(resultsRoutes, { results: services.results, jobs });
      await v1.register(publicResultsRoutes, { results: services.results });
      await v1.register(quotasRoutes, { quotas: services.quotas });
      await v1.register(candidatesRoutes, { candidates: services.candidates });
      await v1.register(reportsRoutes, { reports: services.reports });
      await v1.register(exportsRoutes, { exports: services.exports, spool, limits: config.exports, jobs });
      await v1.register(boardsRoutes, { boards: services.boards });
      await v1.register(calendarRoutes, { calendar: services.calendar });
      await v1.register(timelineRoutes, { timeline: services.timeline });
      await v1.register(appointmentsRoutes, { appointments: services.appointments });
      await v1.register(intakeRoutes, { intake: services.intake });
      await v1.register(publicAppointmentsRoutes, { appointments: services.appointments });
      await v1.register(fraudFindingRoutes, { findings: createFraudFindings({ db: database.db, drives: createDrivesRepository(database.db) }) });
      await v1.register(applicationsRoutes, {
        applications: services.applications,
        importer: services.applicationsImporter,
        importBodyLimitBytes: config.importBodyLimitBytes,
        spool,
        jobs,
      });
    },
    { prefix: '/v1' },
  );

  return app as unknown as FastifyInstance;
}
