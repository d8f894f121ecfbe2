import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';

/**
 * Writes the OpenAPI document generated from the route schemas to openapi/openapi.json.
 * `--check` fails (exit 1) when the committed document differs: CI's drift check.
 */
const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, out: { type: 'string' } } });
const out = path.resolve(values.out ?? 'openapi/openapi.json');

// Routes are registered without touching the database: an empty in-memory one suffices.
const database = await openDatabase({ pgliteDir: 'memory://' });
const config = loadConfig({ LOG_LEVEL: 'silent', DATA_KEY: Buffer.alloc(32).toString('base64'), AUDIT_KEY: Buffer.alloc(32).toString('base64'), AUDIT_CHECKPOINT_INTERVAL_MS: '0' });
const app = await buildApp({ config, database });
await app.ready();
const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
await app.close();
await database.close();

if (values.check) {
  const committed = await readFile(out, 'utf8').catch(() => '');
  if (committed !== document) {
    process.stderr.write(`${out} is out of date: run npm run openapi:generate and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`${out} matches the routes\n`);
} else {
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, document);
  process.stdout.write(`wrote ${out}\n`);
}
