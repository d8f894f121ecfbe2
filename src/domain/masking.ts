import { DomainError } from './errors.js';
import { normalizeName } from './names.js';

/*
 * National ID (CCCD, 12 digits; Circular 59/2021/TT-BCA): 3 digits province of birth registration,
 * 1 digit century + sex, 2 digits year of birth, 6 random digits.
 */

const NATIONAL_ID = /^\d{12}$/;

export interface NationalIdParts {
  provinceCode: string;
  /** 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s, …; even = male, odd = female. */
  centuryGenderCode: number;
  birthYear: number;
  sex: 'male' | 'female';
}

/** Throws `national_id.invalid` unless 12 digits with a province code 001–096. */
export function validateNationalId(s: string): NationalIdParts {
  const id = typeof s === 'string' ? s.trim() : '';
  if (!NATIONAL_ID.test(id)) {
    throw new DomainError('national_id.invalid', 'A national ID (CCCD) has exactly 12 digits');
  }
  const province = Number(id.slice(0, 3));
  if (province < 1 || province > 96) {
    throw new DomainError('national_id.invalid', 'The first 3 digits must be a province code 001–096', {
      provinceCode: id.slice(0, 3),
    });
  }
  const centuryGenderCode = Number(id[3]);
  const century = 1900 + Math.floor(centuryGenderCode / 2) * 100;
  return {
    provinceCode: id.slice(0, 3),
    centuryGenderCode,
    birthYear: century + Number(id.slice(4, 6)),
    sex: centuryGenderCode % 2 === 0 ? 'male' : 'female',
  };
}

export function isValidNationalId(s: string): boolean {
  try {
    validateNationalId(s);
    return true;
  } catch {
    return false;
  }
}

/** Whether the ID's century/year digits agree with a birth date 'YYYY-MM-DD'. */
export function nationalIdMatchesBirthDate(id: string, birthDate: string): boolean {
  const parts = validateNationalId(id);
  return birthDate.slice(0, 4) === String(parts.birthYear);
}

/**
 * Public masking keeps the province code (first 3) and the last 2 digits: '001203004567' →
 * '001*******67'. The century/sex digit and the birth year (digits 4–6) are hidden: together
 * with a published name they are personal data (Decree 13/2023/NĐ-CP), while the visible digits
 * still let a candidate recognise their own line.
 */
export function maskNationalId(s: string): string {
  const id = s.trim();
  if (id.length <= 5) return '*'.repeat(id.length);
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 5)}${id.slice(-2)}`;
}

/**
 * Published results carry candidates' full names: the law requires the list of winners to be
 * posted publicly (Decree 138/2020 Art. 15–16; Decree 115/2020 Art. 16), so names are not masked,
 * only normalised. 'initials' is available for other public views (e.g. live statistics).
 */
export function maskName(name: string, mode: 'full' | 'initials' = 'full'): string {
  const normalized = normalizeName(name);
  if (mode === 'full') return normalized;
  const words = normalized.split(' ');
  const given = words.at(-1) ?? '';
  return [...words.slice(0, -1).map((w) => `${[...w][0] ?? ''}.`), given].join(' ');
}
