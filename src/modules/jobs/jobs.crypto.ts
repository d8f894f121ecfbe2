import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/*
 * Job data held in the database (the caller and parameters, an import body, an import's per-row
 * report, an export file) holds personal data: each piece is sealed with AES-256-GCM under a key
 * derived from the data key (DATA_KEY), as national IDs are (src/crypto/national-id.ts). A piece is
 * iv (12 bytes) ‖ tag (16) ‖ ciphertext. Retired data keys are tried when opening, so a rotation
 * does not strand a job in flight.
 */
const SALT = Buffer.from('tuyendung/jobs');
const INFO = Buffer.from('job-data-v1');

export type JobSealer = { seal: (plain: Buffer) => Buffer; open: (sealed: Buffer) => Buffer };

export function createJobSealer(dataKeyBase64: string, retiredBase64: readonly string[] = []): JobSealer {
  const derive = (k: string): KeyObject => createSecretKey(Buffer.from(hkdfSync('sha256', Buffer.from(k, 'base64'), SALT, INFO, 32)));
  const current = derive(dataKeyBase64);
  const all = [current, ...retiredBase64.map(derive)];
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      const iv = sealed.subarray(0, 12);
      const tag = sealed.subarray(12, 28);
      const body = sealed.subarray(28);
      let last: unknown;
      for (const key of all) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(body), decipher.final()]);
        } catch (err) {
          last = err;
        }
      }
      throw new Error('A job piece does not open under the data keys', { cause: last });
    },
  };
}
