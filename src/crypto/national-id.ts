import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomFillSync, type KeyObject } from 'node:crypto';
import { maskNationalId, validateNationalId } from '../domain/masking.js';

/*
 * National IDs (CCCD) are personal data (Decree 13/2023/NĐ-CP): stored only encrypted, with a
 * keyed blind index for uniqueness and exact lookup, and a masked form for display.
 * Two subkeys are derived from the one configured data key (HKDF, distinct info strings), so the
 * index key can never decrypt and the encryption key never appears in an index.
 */

// v2 ciphertexts name the data key they were made with (`v2:<key id>:…`), so that a rotation can
// tell what is left to re-encrypt and old rows stay readable while it runs. v1 (no key id) is read
// by trying each configured key: AES-GCM's tag refuses the wrong one.
const VERSION = 'v2';
const ID_INFO = 'tuyendung/data-key/key-id/v1';
const ENCRYPTION_INFO = 'tuyendung/national-id/aes-256-gcm/v1';
const INDEX_INFO = 'tuyendung/national-id/blind-index/hmac-sha256/v1';
const SALT = Buffer.from('tuyendung-data-key-salt');
const AAD = Buffer.from('national-id');

export type ProtectedNationalId = { ciphertext: string; index: string; masked: string };

type DataKey = { id: string; enc: KeyObject; index: KeyObject };

function deriveDataKey(dataKeyBase64: string): DataKey {
  const dataKey = Buffer.from(dataKeyBase64, 'base64');
  if (dataKey.length !== 32) throw new Error('The data key must be 32 bytes (base64)');
  // Key objects made once: given a Buffer, every createHmac/createCipheriv call builds its own
  // (about 6× the cost of the HMAC itself on Node 24; a bulk import makes hundreds of thousands).
  return {
    id: Buffer.from(hkdfSync('sha256', dataKey, SALT, ID_INFO, 8)).toString('hex'),
    enc: createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, SALT, ENCRYPTION_INFO, 32))),
    index: createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, SALT, INDEX_INFO, 32))),
  };
}

/**
 * Encrypts and indexes with the current data key; decrypts with it or with a retired one (named in
 * the ciphertext), which is configured only while a rotation re-encrypts (docs/keys.md).
 */
export function createNationalIdProtector(dataKeyBase64: string, retiredBase64: readonly string[] = []) {
  const current = deriveDataKey(dataKeyBase64);
  const encKey = current.enc;
  const indexKey = current.index;
  const keys = new Map<string, DataKey>([[current.id, current]]);
  for (const r of retiredBase64) {
    const k = deriveDataKey(r);
    if (!keys.has(k.id)) keys.set(k.id, k);
  }

  // Random IVs are cut from a pool filled by the CSPRNG 1,024 at a time (one randomBytes call per
  // IV costs more than the encryption). Every IV is copied out and the pool refilled once used up,
  // so no IV is handed out twice.
  const IV_BYTES = 12;
  const ivPool = Buffer.alloc(IV_BYTES * 1024);
  let ivOffset = ivPool.length;
  const nextIv = () => {
    if (ivOffset === ivPool.length) {
      randomFillSync(ivPool);
      ivOffset = 0;
    }
    const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
    ivOffset += IV_BYTES;
    return iv;
  };

  /** The canonical form: validated 12 digits (throws DomainError `national_id.invalid`). */
  const canonical = (nationalId: string) => {
    const id = nationalId.trim();
    validateNationalId(id);
    return id;
  };

  const blindIndex = (nationalId: string) => createHmac('sha256', indexKey).update(canonical(nationalId)).digest('base64url');

  function encrypt(nationalId: string): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', encKey, iv);
    cipher.setAAD(AAD);
    const ct = Buffer.concat([cipher.update(canonical(nationalId), 'utf8'), cipher.final()]);
    return `${VERSION}:${current.id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  function open(key: KeyObject, iv: string, tag: string, ct: string): string {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }

  function decrypt(stored: string): string {
    const parts = stored.split(':');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key) throw new Error(`National ID encrypted with data key ${keyId}, which is not configured (DATA_KEYS_RETIRED)`);
      return open(key.enc, iv, tag, ct);
    }
    const [version, iv, tag, ct] = parts;
    if (version !== 'v1' || !iv || !tag || !ct || parts.length !== 4) throw new Error('Unknown national ID ciphertext format');
    for (const key of keys.values()) {
      try {
        return open(key.enc, iv, tag, ct);
      } catch {
        // the wrong key: try the next one
      }
    }
    throw new Error('National ID encrypted with a data key that is not configured (DATA_KEYS_RETIRED)');
  }

  return {
    /** Id of the current data key (derived from it; appears in v2 ciphertexts). */
    keyId: current.id,
    /** Whether a stored ciphertext is already under the current key. */
    isCurrent: (stored: string) => stored.startsWith(`${VERSION}:${current.id}:`),
    blindIndex,
    encrypt,
    decrypt,
    /** Ciphertext, blind index and masked form of one (validated) national ID. */
    protect(nationalId: string): ProtectedNationalId {
      const id = canonical(nationalId);
      return { ciphertext: encrypt(id), index: blindIndex(id), masked: maskNationalId(id) };
    },
  };
}
export type NationalIdProtector = ReturnType<typeof createNationalIdProtector>;
