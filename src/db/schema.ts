// The schema barrel: every table of every module, for Drizzle's relational queries and drizzle-kit.
export * from '../modules/agencies/agencies.table.js';
export * from '../modules/api-keys/api-keys.table.js';
export * from '../modules/audit/audit.table.js';
export * from '../http/idempotency.table.js';
