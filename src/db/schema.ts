// The schema barrel: every table of every module, for Drizzle's relational queries and drizzle-kit.
export * from '../modules/agencies/agencies.table.js';
export * from '../modules/api-keys/api-keys.table.js';
export * from '../modules/audit/audit.table.js';
export * from '../http/idempotency.table.js';
export * from '../modules/job-positions/job-positions.table.js';
export * from '../modules/drives/drives.table.js';
export * from '../modules/quotas/quotas.table.js';
export * from '../modules/candidates/candidates.table.js';
export * from '../modules/applications/applications.table.js';
export * from '../modules/rounds/rounds.table.js';
export * from '../modules/results/results.table.js';
export * from '../modules/webhooks/webhooks.table.js';
export * from '../modules/reports/reports.table.js';
export * from '../modules/boards/boards.table.js';
export * from '../modules/calendar/calendar.table.js';
export * from '../modules/timeline/timeline.table.js';
export * from '../modules/discipline/discipline.table.js';
