import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.js';

/**
 * migrations/ sits at the project root, beside src/ and dist/: two levels up from src/db/migrate.ts,
 * one level up from the bundled dist/server.js (`npm run build`).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsFolder =
  ['../../migrations', '../migrations'].map((p) => path.resolve(here, p)).find((dir) => existsSync(path.join(dir, 'meta/_journal.json'))) ??
  path.resolve(here, '../../migrations');

// Arbitrary constant naming "tuyendung schema migration" for pg_advisory_lock.
const MIGRATION_LOCK_KEY = 7_230_115_138;

/**
 * Applies pending migrations. Several instances may start together and the migrator takes no lock
 * of its own, so a session advisory lock on a dedicated connection serialises them: the later ones
 * find nothing left to do.
 */
export async function runMigrations(database: Database, databaseUrl?: string): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder });
    return;
  }
  if (!databaseUrl) throw new Error('runMigrations on PostgreSQL needs the database URL');
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tuyendung-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client, { casing: 'snake_case' }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
