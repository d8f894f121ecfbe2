import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomFillSync } from 'node:crypto';
import { maskNationalId, validateNationalId } from '../domain/masking.js';

/*
 * National IDs (CCCD) are personal data (Decree 13/2023/NĐ-CP): stored only encrypted, with a
 * keyed blind index for uniqueness and exact lookup, and a masked form for display.
 * Two subkeys are derived from the one configured data key (HKDF, distinct info strings), so the
 * index key can never decrypt and the encryption key never appears in an index.
 */

const VERSION = 'v1';
const ENCRYPTION_INFO = 'tuyendung/national-id/aes-256-gcm/v1';
const INDEX_INFO = 'tuyendung/national-id/blind-index/hmac-sha256/v1';
const SALT = Buffer.from('tuyendung-data-key-salt');
const AAD = Buffer.from('national-id');

export type ProtectedNationalId = { ciphertext: string; index: string; masked: string };

export function createNationalIdProtector(dataKeyBase64: string) {
  const dataKey = Buffer.from(dataKeyBase64, 'base64');
  if (dataKey.length !== 32) throw new Error('The data key must be 32 bytes (base64)');
  // Key objects made once: given a Buffer, every createHmac/createCipheriv call builds its own
  // (about 6× the cost of the HMAC itself on Node 24; a bulk import makes hundreds of thousands).
  const encKey = createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, SALT, ENCRYPTION_INFO, 32)));
  const indexKey = createSecretKey(Buffer.from(hkdfSync('sha256', dataKey, SALT, INDEX_INFO, 32)));

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
    return `${VERSION}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  function decrypt(stored: string): string {
    const [version, iv, tag, ct] = stored.split(':');
    if (version !== VERSION || !iv || !tag || !ct) throw new Error('Unknown national ID ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
  }

  return {
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
