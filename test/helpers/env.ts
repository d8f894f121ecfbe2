/** Tests run on PostgreSQL when TEST_DATABASE_URL is set, else on the embedded database. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const onPostgres = Boolean(TEST_DATABASE_URL);
export const needsPostgres = !onPostgres;
export const CONCURRENCY_SKIP_REASON = 'needs real PostgreSQL (set TEST_DATABASE_URL): the embedded database runs one session at a time';

export function databaseUrlFor(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}
