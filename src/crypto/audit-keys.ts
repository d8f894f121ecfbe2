import { createHmac, createPrivateKey, createPublicKey, createSecretKey, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';

/*
 * The audit trail's keys. One configured secret (AUDIT_KEY, 32 bytes) gives two subkeys (HKDF,
 * distinct info strings, as the data key does for national IDs):
 * - a MAC key: each event's hash is HMAC-SHA256 over the previous hash and the canonical event, so
 *   whoever can write the database but does not hold the key cannot rehash an edited chain;
 * - an Ed25519 signing key for checkpoints of the stream heads, whose public half an operator keeps
 *   off the machine and verifies copies with (openssl or any Ed25519 library).
 * Keys are named by an id derived from the secret itself, stored on every event and checkpoint: a
 * rotation starts a new id from that point, and retired secrets stay configured for verification only.
 */

const SALT = Buffer.from('tuyendung-audit-key-salt');
const MAC_INFO = 'tuyendung/audit/chain/hmac-sha256/v1';
const SIGNING_INFO = 'tuyendung/audit/checkpoint/ed25519/v1';
const ID_INFO = 'tuyendung/audit/key-id/v1';
// PKCS#8 prefix of an Ed25519 private key: the 32-byte seed follows (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type AuditKey = {
  id: string;
  mac: KeyObject;
  signing: KeyObject;
  publicKey: KeyObject;
};

export function auditKeyId(secretBase64: string): string {
  return deriveKey(secretBase64).id;
}

function deriveKey(secretBase64: string): AuditKey {
  const secret = Buffer.from(secretBase64, 'base64');
  if (secret.length !== 32) throw new Error('An audit key must be 32 bytes (base64)');
  const id = createHmac('sha256', Buffer.from(hkdfSync('sha256', secret, SALT, ID_INFO, 32))).update('key-id').digest('hex').slice(0, 16);
  const mac = createSecretKey(Buffer.from(hkdfSync('sha256', secret, SALT, MAC_INFO, 32)));
  const seed = Buffer.from(hkdfSync('sha256', secret, SALT, SIGNING_INFO, 32));
  const signing = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { id, mac, signing, publicKey: createPublicKey(signing) };
}

export type AuditKeyring = ReturnType<typeof createAuditKeyring>;

/** The current key (writes and signs) and the retired ones (verify only). */
export function createAuditKeyring(current: string, retired: readonly string[] = []) {
  const now = deriveKey(current);
  const byId = new Map<string, AuditKey>([[now.id, now]]);
  for (const r of retired) {
    const k = deriveKey(r);
    if (!byId.has(k.id)) byId.set(k.id, k);
  }
  return {
    currentId: now.id,
    has: (keyId: string) => byId.has(keyId),
    /** HMAC-SHA256 (hex) of `data` under the named key; undefined when that key is not configured. */
    mac(keyId: string, data: string): string | undefined {
      const k = byId.get(keyId);
      return k ? createHmac('sha256', k.mac).update(data).digest('hex') : undefined;
    },
    /** Ed25519 signature (base64) of `payload` with the current key. */
    sign: (payload: string) => ({ keyId: now.id, signature: sign(null, Buffer.from(payload), now.signing).toString('base64') }),
    /** Whether `signature` is the named key's signature of `payload` (false for an unknown key or a malformed signature). */
    verify(keyId: string, payload: string, signature: string): boolean {
      const k = byId.get(keyId);
      if (!k) return false;
      try {
        return verify(null, Buffer.from(payload), k.publicKey, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
    publicKeys: () =>
      [...byId.values()].map((k) => ({
        keyId: k.id,
        algorithm: 'Ed25519' as const,
        current: k.id === now.id,
        publicKeyPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      })),
  };
}
