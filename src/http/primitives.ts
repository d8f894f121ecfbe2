import { z } from 'zod';

// Shared, bounded input primitives: every module builds its schemas from these.
export const uuid = z.string().uuid();
export const idParams = z.object({ id: uuid });
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}, 'not a calendar date');
export const year = z.coerce.number().int().min(2000).max(2100);
/** Free text: NFC-normalised, trimmed, bounded. */
export const text = (max = 200, min = 1) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(min).max(max));
export const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)');
export const timestamp = z.date().describe('ISO 8601 timestamp (UTC)');
export const count = z.number().int().min(0);
/** Exact decimal with up to two places, as a string ("78.50"). */
export const decimal = z.string().regex(/^\d{1,4}(\.\d{1,2})?$/, 'decimal with up to 2 places');
export const searchQuery = z.string().max(100).optional().describe('Search in names, with or without diacritics');
