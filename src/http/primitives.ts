import { z } from 'zod';
import { isCalendarDate, parseInstant } from '../domain/date-strings.js';

// Shared, bounded input primitives: every module builds its schemas from these.
export const uuid = z.string().uuid();
export const idParams = z.object({ id: uuid });
/** A calendar date `YYYY-MM-DD` that exists (no 2023-02-30), in years 1000–9999. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date (a day that exists, years 1000–9999)');
/**
 * A timestamp parameter: ISO 8601 with `Z` or an offset (or a bare date: midnight UTC), read
 * strictly (src/domain/date-strings.ts). Every date and timestamp input goes through this or `isoDate`.
 */
export const instant = z
  .string()
  .max(40)
  .refine((s) => parseInstant(s) !== undefined, 'expected an ISO 8601 timestamp with Z or an offset (or YYYY-MM-DD): a real date and time, years 1000–9999')
  .transform((s) => parseInstant(s)!);
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
