import { DomainError } from './errors.js';
import type { RuleSet } from './rule-sets.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Parses a calendar date 'YYYY-MM-DD' (rejecting 2023-02-29 and the like); throws `date.invalid`. */
export function parseIsoDate(value: string, label = 'date'): CivilDate {
  const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (
      year >= 1 &&
      probe.getUTCFullYear() === year &&
      probe.getUTCMonth() === month - 1 &&
      probe.getUTCDate() === day
    ) {
      return { year, month, day };
    }
  }
  throw new DomainError('date.invalid', `${label} must be a real calendar date YYYY-MM-DD`, {
    field: label,
    value,
  });
}

/**
 * Age in whole years on `on`. Someone born on 29 February turns a year older on 1 March in
 * common years (the birthday has not been reached on 28 February).
 */
export function ageOn(birthDate: string, on: string): number {
  const b = parseIsoDate(birthDate, 'birthDate');
  const d = parseIsoDate(on, 'on');
  let age = d.year - b.year;
  if (d.month < b.month || (d.month === b.month && d.day < b.day)) age -= 1;
  return age;
}

export interface EligibilityInput {
  birthDate: string;
  /** ISO 3166-1 alpha-2, e.g. 'VN'. */
  nationality: string;
  /** Barred after a fraud cancellation in a previous drive (computed by the service). */
  barred: boolean;
  /** Registration closing date of the drive; age is measured on this day. */
  closingDate: string;
  /** Local date the application was submitted, with the registration window, when known. */
  registeredOn?: string;
  opensOn?: string;
  /** Lower age limit for this post, overriding the rule set (e.g. 15 for some arts/sports posts). */
  minAgeYears?: number;
}

export interface EligibilityReason {
  code:
    | 'eligibility.under_age'
    | 'eligibility.nationality'
    | 'eligibility.barred'
    | 'eligibility.window_closed';
  message: string;
}

export interface EligibilityResult {
  eligible: boolean;
  reasons: EligibilityReason[];
}

/**
 * Registration eligibility (Law on Cadres and Civil Servants Art. 36(1); Law on Public Employees
 * Art. 22(1); applied by Decree 138/2020, 115/2020 and 170/2025):
 * age ≥ minimum on the closing date, an allowed nationality, not barred, window open.
 * Every failing rule is reported, not just the first: ineligible applications keep their reasons.
 */
export function checkEligibility(input: EligibilityInput, ruleSet: Pick<RuleSet, 'minAgeYears' | 'nationalities'>): EligibilityResult {
  const reasons: EligibilityReason[] = [];
  const minAge = input.minAgeYears ?? ruleSet.minAgeYears;
  const age = ageOn(input.birthDate, input.closingDate);
  if (age < minAge) {
    reasons.push({
      code: 'eligibility.under_age',
      message: `Age ${age} on the closing date ${input.closingDate} is below the minimum ${minAge}`,
    });
  }
  const nationality = input.nationality.trim().toUpperCase();
  if (!ruleSet.nationalities.includes(nationality)) {
    reasons.push({
      code: 'eligibility.nationality',
      message: `Nationality ${nationality} is not allowed (allowed: ${ruleSet.nationalities.join(', ')})`,
    });
  }
  if (input.barred) {
    reasons.push({
      code: 'eligibility.barred',
      message: 'Barred from this drive after a result cancelled for fraud in a previous drive',
    });
  }
  if (input.registeredOn !== undefined) {
    parseIsoDate(input.registeredOn, 'registeredOn');
    const afterClose = input.registeredOn > input.closingDate;
    const beforeOpen = input.opensOn !== undefined && input.registeredOn < parseAndReturn(input.opensOn);
    if (afterClose || beforeOpen) {
      reasons.push({
        code: 'eligibility.window_closed',
        message: `Registered on ${input.registeredOn}, outside the registration window${
          input.opensOn ? ` ${input.opensOn} – ` : ' ending '
        }${input.closingDate}`,
      });
    }
  }
  return { eligible: reasons.length === 0, reasons };
}

function parseAndReturn(date: string): string {
  parseIsoDate(date, 'opensOn');
  return date;
}
