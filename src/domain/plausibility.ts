import { validateNationalId } from './masking.js';

/*
 * Plausibility of a person's identity data, checked wherever it is written (single registration,
 * correction, import row). Eligibility by age stays with the drive's rule set (applications.rules);
 * these only refuse what cannot be a real applicant's data.
 */

export type Implausible = { status: 400 | 422; code: string; message: string; field: string };

/** How far back a birth date may lie (a person registering for a drive is alive and under this age). */
export const MAX_AGE_YEARS = 100;

/** 'YYYY-MM-DD' moved by whole years; 29 February stays as text, which still orders correctly. */
const addYears = (date: string, years: number) => `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`;

/**
 * A birth date in the past hundred years and not after today (`today`: the service clock's local
 * date in Vietnam, YYYY-MM-DD). 0001-01-01 or 2999-01-01 are typing or export errors, not people.
 */
export function birthDateImplausible(birthDate: string, today: string): Implausible | null {
  const earliest = addYears(today, -MAX_AGE_YEARS);
  if (birthDate > today || birthDate < earliest) {
    return {
      status: 400,
      code: 'candidate.birth_date_implausible',
      message: `A birth date must lie between ${earliest} and ${today} (the past ${MAX_AGE_YEARS} years, none in the future)`,
      field: 'birthDate',
    };
  }
  return null;
}

/** Bidirectional formatting controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM): they reorder how a published list reads. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * A name has at least one letter and no bidi control: a name of only zero-width characters reads as
 * blank in a public list, and an override (U+202E) shows another name than the one stored.
 */
export function nameImplausible(fullName: string, field = 'fullName'): Implausible | null {
  if (BIDI_CONTROLS.test(fullName)) {
    return { status: 400, code: 'candidate.name_invalid', message: 'A name cannot contain bidirectional text controls (e.g. U+202E)', field };
  }
  if (!/\p{L}/u.test(fullName)) {
    return { status: 400, code: 'candidate.name_invalid', message: 'A name must contain letters (not only invisible or zero-width characters)', field };
  }
  return null;
}

/**
 * The national ID's century/sex digit and birth-year digits agree with the birth date and, when
 * given as male or female, the gender (Circular 59/2021/TT-BCA Art. 7: 0/1 for 1900–1999, 2/3 for
 * 2000–2099, 4/5, 6/7, 8/9 for the 22nd–24th centuries; even = male, odd = female). Assumes a
 * national ID that validateNationalId accepts.
 */
export function nationalIdContradiction(nationalId: string, birthDate: string, gender: string): Implausible | null {
  const parts = validateNationalId(nationalId);
  const year = Number(birthDate.slice(0, 4));
  if (parts.birthYear !== year) {
    return {
      status: 422,
      code: 'national_id.birth_date_mismatch',
      message: `The national ID's century and year digits (${nationalId.slice(3, 6)}) stand for a birth in ${parts.birthYear}, not ${year}`,
      field: 'nationalId',
    };
  }
  if ((gender === 'male' || gender === 'female') && parts.sex !== gender) {
    return {
      status: 422,
      code: 'national_id.gender_mismatch',
      message: `The national ID's century/sex digit (${parts.centuryGenderCode}) stands for ${parts.sex}, not ${gender}`,
      field: 'nationalId',
    };
  }
  return null;
}

/** The first implausibility of a person's identity data, or null. */
export function identityImplausible(p: { fullName: string; nationalId: string; birthDate: string; gender: string }, today: string): Implausible | null {
  return nameImplausible(p.fullName) ?? birthDateImplausible(p.birthDate, today) ?? nationalIdContradiction(p.nationalId, p.birthDate, p.gender);
}
