/** Drizzle wraps driver errors; the PostgreSQL fields are on `cause` (both drivers). */
export type PgErrorInfo = { code: string; constraint?: string | undefined; detail?: string | undefined };

export function pgErrorOf(err: unknown): PgErrorInfo | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const rec = e as { code?: unknown; constraint?: unknown; detail?: unknown; cause?: unknown };
    if (typeof rec.code === 'string' && /^[0-9A-Z]{5}$/.test(rec.code)) {
      return {
        code: rec.code,
        constraint: typeof rec.constraint === 'string' ? rec.constraint : undefined,
        detail: typeof rec.detail === 'string' ? rec.detail : undefined,
      };
    }
    e = rec.cause;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown, constraint?: string) => {
  const info = pgErrorOf(err);
  return info?.code === '23505' && (constraint === undefined || info.constraint === constraint);
};

export const isForeignKeyViolation = (err: unknown, constraint?: string) => {
  const info = pgErrorOf(err);
  return info?.code === '23503' && (constraint === undefined || info.constraint === constraint);
};

/** Serialization failures and deadlocks: the transaction may simply be run again. */
export const isRetryable = (err: unknown) => {
  const code = pgErrorOf(err)?.code;
  return code === '40001' || code === '40P01';
};

const unavailableNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** The database cannot be reached or is shutting down: the client should retry later (503). */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const rec = e as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof rec.code === 'string' ? rec.code : '';
    if (unavailableNodeCodes.has(code)) return true;
    // 08xxx connection exceptions, 57P01-57P03 admin shutdown / cannot connect now, 53300 too many connections.
    if (/^(08...|57P0[1-3]|53300)$/.test(code)) return true;
    const msg = typeof rec.message === 'string' ? rec.message : '';
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(msg)) {
      return true;
    }
    e = rec.cause;
  }
  return false;
}
