import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { createAgenciesRepository } from '../modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../modules/api-keys/api-keys.service.js';
import { roles, type Role } from '../modules/api-keys/api-keys.table.js';
import { systemActor } from '../modules/audit/audit.writer.js';

const usage = `Usage: npm run keys -- create --role <${roles.join('|')}> --name <name> [--agency <agency id>]
       npm run keys -- list
       npm run keys -- revoke --id <key id>`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, agency: { type: 'string' }, id: { type: 'string' } },
  });
  const command = positionals[0];
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: 2 });
  try {
    await runMigrations(database, config.databaseUrl);
    const { db } = database;
    const service = createApiKeysService({ db, repo: createApiKeysRepository(db), agencies: createAgenciesRepository(db) });
    const actor = systemActor('cli');
    if (command === 'create') {
      if (!values.role || !(roles as readonly string[]).includes(values.role) || !values.name) throw new Error(usage);
      const key = await service.createAs(actor, { role: values.role as Role, name: values.name, agencyId: values.agency ?? null });
      process.stdout.write(`Created ${key.role} key ${key.id} (${key.name}). The key is shown once:\n${key.key}\n`);
    } else if (command === 'list') {
      for (const k of await service.list(500, undefined)) {
        process.stdout.write(`${k.id}  ${k.prefix}…  ${k.role.padEnd(10)} ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}\n`);
      }
    } else if (command === 'revoke' && values.id) {
      const k = await service.revoke({ actor, role: 'admin', scopePath: null, scopeAgencyId: null }, values.id);
      process.stdout.write(`Revoked ${k.id}\n`);
    } else {
      throw new Error(usage);
    }
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
