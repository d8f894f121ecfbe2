/* Dates in import rows (no imports: the row schema and its fast path both use it). */

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * A date as an office types it (dd/mm/yyyy, as Vietnamese Excel shows dates) in ISO form
 * (YYYY-MM-DD); any other text unchanged (the row schema then judges it).
 */
export function isoDateOf(text: string): string {
  const m = DMY.exec(text);
  if (!m) return text;
  return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}
