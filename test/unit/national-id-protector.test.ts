import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNationalIdProtector } from '../../src/crypto/national-id.js';

const dataKey = randomBytes(32);
const protector = createNationalIdProtector(dataKey.toString('base64'));

describe('national ID protection (Decree 13/2023: encrypted, blind index, masked)', () => {
  it('when an ID is indexed, then the index is HMAC-SHA256 under the HKDF-derived index key (stored indexes keep matching)', () => {
    const indexKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.from('tuyendung-data-key-salt'), 'tuyendung/national-id/blind-index/hmac-sha256/v1', 32));
    const expected = createHmac('sha256', indexKey).update('001203004567').digest('base64url');
    expect(protector.blindIndex('001203004567')).toBe(expected);
    expect(protector.blindIndex(' 001203004567 ')).toBe(expected);
    expect(protector.protect('001203004567')).toMatchObject({ index: expected, masked: '001*******67' });
  });

  it('when thousands of IDs are encrypted, then every ciphertext decrypts and no IV repeats (the IV pool refills)', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const id = `0012030${String(i).padStart(5, '0')}`;
      const stored = protector.encrypt(id);
      expect(protector.decrypt(stored)).toBe(id);
      // v2:<data key id>:<iv>:<tag>:<ciphertext> (src/crypto/national-id.ts)
      const [version, , iv] = stored.split(':');
      expect(version).toBe('v2');
      expect(Buffer.from(iv!, 'base64')).toHaveLength(12);
      ivs.add(iv!);
    }
    expect(ivs.size).toBe(3000);
  });

  it('when the same ID is encrypted twice, then the ciphertexts differ', () => {
    expect(protector.encrypt('079195000123')).not.toBe(protector.encrypt('079195000123'));
  });
});
