import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

/** Strong ETag from a resource's version counter. */
export const etagOf = (version: number) => `"v${version}"`;

export function setEtag(reply: FastifyReply, version: number): void {
  void reply.header('etag', etagOf(version));
}

/**
 * The version a client expects, from `If-Match`, or undefined when the header is absent.
 * The write then checks it atomically (`where version = expected`) and answers 412 on mismatch.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const value = String(header).trim();
  if (value === '*') return undefined;
  const m = /^(?:W\/)?"v(\d{1,9})"$/.exec(value);
  if (!m?.[1]) throw new AppError(412, 'precondition.failed', 'If-Match does not match the current version of the resource');
  return Number(m[1]);
}

export const ifMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(100)
    .optional()
    .describe('ETag of the version you read; the change is refused with 412 if the resource changed since'),
});
