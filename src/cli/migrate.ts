import { loadConfig, loadEnvironmentFile } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';

loadEnvironmentFile();
const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: 1 });
try {
  await runMigrations(database, config.databaseUrl);
  process.stdout.write(`Migrations applied (${database.kind})\n`);
} finally {
  await database.close();
}
