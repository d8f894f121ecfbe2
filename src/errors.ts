/** Application errors: a stable `code` that clients branch on, and the HTTP status it maps to. */
export type FieldError = { path: string; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [k: string]: unknown } = {},
    /** Values for the localised detail (src/http/i18n.ts); never sent as such. */
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The path of the page describing a problem code (GET /problems/{code}, src/http/problems.ts): problem+json's `type`. */
export const problemTypePath = (code: string) => `/problems/${encodeURIComponent(code)}`;

export const notFound = (what: string, id?: string) =>
  new AppError(404, `${what}.not_found`, id ? `No ${what.replace(/_/g, ' ')} with id ${id}` : `No such ${what.replace(/_/g, ' ')}`, {}, id ? { what, id } : { what });
export const conflict = (code: string, message: string, extras?: AppError['extras'], params?: AppError['params']) =>
  new AppError(409, code, message, extras, params);
export const unprocessable = (code: string, message: string, extras?: AppError['extras'], params?: AppError['params']) =>
  new AppError(422, code, message, extras, params);
export const forbidden = (message = 'This key may not do that') => new AppError(403, 'auth.forbidden', message);
export const preconditionFailed = () =>
  new AppError(412, 'precondition.failed', 'If-Match does not match the current version of the resource');

