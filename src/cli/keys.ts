import { parseArgs } from 'node:util';
import { loadConfig, loadEnvironmentFile } from '../config.js';
import { DatabaseInUseError, openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { createAgenciesRepository } from '../modules/agencies/agencies.repository.js';
import { createApiKeysRepository } from '../modules/api-keys/api-keys.repository.js';
import { createApiKeysService } from '../modules/api-keys/api-keys.service.js';
import { roles, type Role } from '../modules/api-keys/api-keys.table.js';
import { bindAuditKeyring, systemActor } from '../modules/audit/audit.writer.js';
import { createAuditKeyring } from '../crypto/audit-keys.js';
import { createNationalIdProtector } from '../crypto/national-id.js';
import { ensureAuditKey, ensureDataKey } from '../db/data-key.js';
import { createAuditRepository } from '../modules/audit/audit.repository.js';
import { createAuditService } from '../modules/audit/audit.service.js';
import { rotateNationalIdKey } from '../modules/candidates/candidates.key-rotation.js';
import { rotateIntakeNationalIdKey } from '../modules/intake/intake.key-rotation.js';

const usage = `Usage: npm run keys -- create --role <${roles.join('|')}> --name <name> [--agency <agency id>]
       npm run keys -- list
       npm run keys -- revoke --id <key id>
       npm run keys -- audit-checkpoint        sign a checkpoint of the audit stream heads now (JSON on stdout)
       npm run keys -- audit-public-keys       the public keys that verify checkpoints (PEM)
       npm run keys -- rotate-data-key [--batch <rows>]
                                               re-encrypt national IDs under DATA_KEY (old keys in DATA_KEYS_RETIRED)
See docs/keys.md for rotating AUDIT_KEY and DATA_KEY.`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, agency: { type: 'string' }, id: { type: 'string' }, batch: { type: 'string' } },
  });
  const command = positionals[0];
  loadEnvironmentFile();
  const loaded = loadConfig();
  const database = await openDatabase({ databaseUrl: loaded.databaseUrl, pgliteDir: loaded.pgliteDir, poolMax: 2 });
  try {
    const config = await ensureAuditKey(await ensureDataKey(loaded));
    await runMigrations(database, config.migrationDatabaseUrl ?? config.databaseUrl);
    const { db } = database;
    const keyring = createAuditKeyring(config.auditKey!, config.auditKeysRetired);
    bindAuditKeyring(db, keyring);
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
    } else if (command === 'audit-checkpoint') {
      const audit = createAuditService({ db, repo: createAuditRepository(db), keyring, clock: () => new Date(), verifyMaxEvents: config.audit.verifyMaxEvents });
      const { checkpoint, created } = await audit.createCheckpoint();
      process.stdout.write(checkpoint ? `${JSON.stringify({ created, ...checkpoint }, null, 2)}\n` : 'Nothing was ever written: nothing to sign\n');
    } else if (command === 'audit-public-keys') {
      for (const k of keyring.publicKeys()) process.stdout.write(`# audit key ${k.keyId} (${k.current ? 'current' : 'retired'}), Ed25519\n${k.publicKeyPem}`);
    } else if (command === 'rotate-data-key') {
      const batchSize = values.batch ? Number(values.batch) : 500;
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(usage);
      const protector = createNationalIdProtector(config.dataKey!, config.dataKeysRetired);
      const { rotated, keyId } = await rotateNationalIdKey(db, protector, {
        batchSize,
        onBatch: (n) => process.stdout.write(`  ${n} national IDs re-encrypted\n`),
      });
      const intakes = await rotateIntakeNationalIdKey(db, protector, { batchSize, onBatch: (n) => process.stdout.write(`  ${n} intake national IDs re-encrypted\n`) });
      process.stdout.write(`Done: ${rotated + intakes.rotated} national IDs re-encrypted and re-indexed under data key ${keyId}; every row is on it now.\n`);
    } else {
      throw new Error(usage);
    }
  } finally {
    await database.close();
  }
}

const whileServing = `The server (npm start) holds the embedded database: stop it first, or create the key through the
running API with an admin key:
  curl -X POST http://127.0.0.1:3000/v1/api-keys -H "Authorization: Bearer <admin key>" \\
       -H "Content-Type: application/json" -d '{"role":"registrar","name":"HR portal"}'
A lost admin key: stop the server and run npm run keys -- create --role admin --name <name>, then
revoke the lost one (npm run keys -- list, npm run keys -- revoke --id <id>).`;

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof DatabaseInUseError) process.stderr.write(`${whileServing}\n`);
  process.exit(1);
});
