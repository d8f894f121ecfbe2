import pino, { type DestinationStream, type Logger } from 'pino';

const NATIONAL_ID_IN_URL = /(nationalId=)[^&]*/gi;

/** Removes national IDs from a URL before it is logged. */
export const redactUrl = (url: string) => url.replace(NATIONAL_ID_IN_URL, '$1[REDACTED]');

/** JSON logs on stdout (or the given destination), with credentials and national IDs redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}
