import pino, { type Logger } from 'pino';

const NATIONAL_ID_IN_URL = /(nationalId=)[^&]*/gi;

/** Removes national IDs from a URL before it is logged. */
export const redactUrl = (url: string) => url.replace(NATIONAL_ID_IN_URL, '$1[REDACTED]');

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.nationalId',
        '*.*.nationalId',
        '*.national_id',
        '*.key',
        '*.secret',
        'nationalId',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(req: { method: string; url: string; id: string; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url), id: req.id, remoteAddress: req.ip };
      },
    },
  });
}
