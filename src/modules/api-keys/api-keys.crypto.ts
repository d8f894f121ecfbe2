import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'td_';

/** A new key: 256 random bits, shown once; only its hash is stored. */
export function generateApiKey(): { secret: string; hash: string; prefix: string } {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  return { secret, hash: hashApiKey(secret), prefix: secret.slice(0, 10) };
}

export const hashApiKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

export const looksLikeApiKey = (s: string) => s.startsWith(PREFIX) && s.length === PREFIX.length + 43;
