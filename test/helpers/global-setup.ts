import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { TEST_DATABASE_URL, databaseUrlFor, CONCURRENCY_SKIP_REASON } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null;
  }
}

/**
 * On PostgreSQL: migrate one template database per run; each test file clones it (CREATE DATABASE
 * … TEMPLATE), which takes a fraction of a second instead of migrating again.
 */
export default async function setup(project: TestProject) {
  if (!TEST_DATABASE_URL) {
    process.stdout.write(`\n[tests] TEST_DATABASE_URL is not set: running on the embedded database (PGlite). Tests that ${CONCURRENCY_SKIP_REASON.replace('needs', 'need')} are skipped.\n\n`);
    project.provide('templateDatabase', null);
    return;
  }
  const template = `td_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const database = await openDatabase({ databaseUrl: databaseUrlFor(template), poolMax: 1 });
  await runMigrations(database, databaseUrlFor(template));
  await database.close();
  project.provide('templateDatabase', template);
  return async () => {
    // Drop the clones this run left behind, then the template.
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`td_${process.pid}_%`]);
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}
