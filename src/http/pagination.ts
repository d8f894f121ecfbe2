import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from './errors.js';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size (1–500)'),
  cursor: z.string().max(512).optional().describe('Opaque cursor from the previous page'),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(400, 'request.invalid_cursor', 'The cursor is not one this API issued', {
      errors: [{ path: 'query.cursor', message: 'invalid cursor' }],
    });
  }
}

/** Keyset paging: repositories fetch limit + 1 rows; the extra row only says there is a next page. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => Record<string, unknown>) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null;
  return { items, nextCursor };
}

export const idCursor = z.object({ id: z.string().uuid() });

/**
 * Sets `Link: <…>; rel="next"` for the page and returns the body unchanged. The URL is absolute (RFC 8288
 * resolves a relative one against the request, which clients get wrong behind proxies): PUBLIC_BASE_URL
 * when it is set (`app.publicBaseUrl`), else the request's own scheme and host (X-Forwarded-Proto and
 * -Host only from proxies TRUST_PROXY names).
 */
export function withLink<P extends { nextCursor: string | null }>(request: FastifyRequest, reply: FastifyReply, page: P): P {
  if (page.nextCursor) {
    const configured = (request.server as unknown as { publicBaseUrl?: string }).publicBaseUrl;
    const base = configured ? configured.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('cursor', page.nextCursor);
    void reply.header('link', `<${base}${url.pathname}${url.search}>; rel="next"`);
  }
  return page;
}
