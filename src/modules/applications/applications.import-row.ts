import { z } from 'zod';
import { isValidNationalId } from '../../domain/masking.js';
import { isoDateOf } from './applications.dates.js';
import { IMPORT_COLUMNS, type ImportRow } from './applications.schemas.js';

/*
 * A fast path for the import row schema (importRowSchema), for rows of text cells as CSV gives
 * them. It accepts only rows that the schema accepts, and then returns exactly what the schema
 * returns; anything else (a wrong cell, a non-text value, an unknown field) gives undefined, and
 * the caller validates the row with the schema, which reports the errors. On 200,000 rows the
 * schema's generic machinery costs several seconds of CPU; these checks a fraction of that.
 * test/unit/import-row.test.ts holds the two to the same answers.
 */

const COLUMNS = new Set<string>(IMPORT_COLUMNS);
const UUID = z.regexes.uuid();
const EMAIL = z.regexes.email;
const GENDERS: Record<string, 'male' | 'female' | 'other'> = {
  male: 'male',
  female: 'female',
  other: 'other',
  nam: 'male',
  'nữ': 'female',
  nu: 'female',
  'khác': 'other',
  khac: 'other',
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const NATIONALITY = /^[A-Za-z]{2}$/;
const PHONE = /^\+?[0-9 .-]{6,20}$/;
const CATEGORY = /^[a-z][a-z0-9_]{0,63}$/;

/** Free text as the schema's text(): NFC, trimmed, inner whitespace collapsed; undefined when out of bounds. */
function text(v: string, max: number): string | undefined {
  const s = v.normalize('NFC').trim().replace(/\s+/g, ' ');
  return s.length >= 1 && s.length <= max ? s : undefined;
}

function calendarDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** An absent optional cell: missing, or blank ('' as CSV gives an empty cell). */
const blank = (v: string | undefined): v is undefined | '' => v === undefined || v === '';

/**
 * The row as importRowSchema would return it, when the row is valid and every value is text;
 * undefined otherwise (validate with the schema then). A valid row also has a valid national ID.
 */
export function fastImportRow(raw: unknown): ImportRow | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const cells = raw as Record<string, unknown>;
  for (const key in cells) {
    if (!Object.hasOwn(cells, key)) continue;
    if (!COLUMNS.has(key) || typeof cells[key] !== 'string') return undefined;
  }
  const cell = (k: (typeof IMPORT_COLUMNS)[number]) => (Object.hasOwn(cells, k) ? (cells[k] as string) : undefined);

  const rawName = cell('fullName');
  const rawId = cell('nationalId');
  const rawBirth = cell('birthDate');
  const rawGender = cell('gender');
  const rawEthnicity = cell('ethnicity');
  if (rawName === undefined || rawId === undefined || rawBirth === undefined || rawGender === undefined || rawEthnicity === undefined) return undefined;
  const fullName = text(rawName, 200);
  const nationalId = rawId.trim();
  const birthDate = isoDateOf(rawBirth.trim());
  const gender = GENDERS[rawGender.normalize('NFC').trim().toLowerCase()];
  const ethnicity = text(rawEthnicity, 100);
  if (fullName === undefined || ethnicity === undefined || gender === undefined) return undefined;
  if (!isValidNationalId(nationalId) || !calendarDate(birthDate)) return undefined;

  const rawNationality = cell('nationality');
  let nationality = 'VN';
  if (!blank(rawNationality)) {
    const n = rawNationality.trim();
    if (!NATIONALITY.test(n)) return undefined;
    nationality = n.toUpperCase();
  }

  const row: ImportRow = { fullName, nationalId, birthDate, gender, ethnicity, nationality, choice: 1 };

  const email = cell('email');
  if (!blank(email)) {
    const e = email.trim();
    if (e.length > 254 || !EMAIL.test(e)) return undefined;
    row.email = e;
  }
  const phone = cell('phone');
  if (!blank(phone)) {
    const p = phone.trim();
    if (!PHONE.test(p)) return undefined;
    row.phone = p;
  }
  const address = cell('address');
  if (!blank(address)) {
    const a = text(address, 500);
    if (a === undefined) return undefined;
    row.address = a;
  }
  const quotaId = cell('quotaId');
  if (!blank(quotaId)) {
    if (!UUID.test(quotaId)) return undefined;
    row.quotaId = quotaId;
  }
  for (const k of ['agencyCode', 'jobPositionCode'] as const) {
    const v = cell(k);
    if (blank(v)) continue;
    const t = v.trim();
    if (t.length > 64) return undefined;
    row[k] = t;
  }
  const category = cell('priorityCategory');
  if (!blank(category)) {
    const c = category.trim();
    if (!CATEGORY.test(c)) return undefined;
    row.priorityCategory = c;
  }
  const evidence = cell('evidenceRef');
  if (!blank(evidence)) {
    const e = text(evidence, 300);
    if (e === undefined) return undefined;
    row.evidenceRef = e;
  }
  const choice = cell('choice');
  if (!blank(choice)) {
    const c = Number(choice);
    if (c !== 1 && c !== 2) return undefined;
    row.choice = c;
  }
  const preferences = cell('agencyPreferences');
  if (!blank(preferences)) {
    const p = text(preferences, 2000);
    if (p === undefined) return undefined;
    row.agencyPreferences = p;
  }
  // A review declaration (Decree 170/2025 Art. 5) is rare: the schema reads it.
  if (!blank(cell('reviewGroup')) || !blank(cell('reviewEvidenceRefs'))) return undefined;
  if (row.quotaId === undefined && (row.agencyCode === undefined || row.jobPositionCode === undefined)) return undefined;
  if (row.priorityCategory !== undefined && row.evidenceRef === undefined) return undefined;
  return row;
}
