import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';

export const DATA_KEY_FILE = 'tuyendung.data-key';

/**
 * On the embedded database with no DATA_KEY configured, a key is generated once and kept in
 * PGLITE_DIR beside the data it protects. With DATABASE_URL the key is required configuration.
 */
export async function ensureDataKey(config: Config): Promise<Config> {
  if (config.dataKey || config.databaseUrl) return config;
  const file = path.join(path.resolve(config.pgliteDir), DATA_KEY_FILE);
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch {
    key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
      key = (await readFile(file, 'utf8')).trim();
    });
  }
  return Object.freeze({ ...config, dataKey: key });
}

export const AUDIT_KEY_FILE = 'tuyendung.audit-key';

/**
 * The audit chain's key, like the data key: generated once into PGLITE_DIR on the embedded
 * database when AUDIT_KEY is not configured, required configuration with DATABASE_URL. On the
 * embedded database there is one database role (no owner/runtime split): this key, kept outside the
 * database files, is what makes a rewritten trail fail verification there.
 */
export async function ensureAuditKey(config: Config): Promise<Config> {
  if (config.auditKey || config.databaseUrl) return config;
  const file = path.join(path.resolve(config.pgliteDir), AUDIT_KEY_FILE);
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch {
    key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
      key = (await readFile(file, 'utf8')).trim();
    });
  }
  return Object.freeze({ ...config, auditKey: key });
}
