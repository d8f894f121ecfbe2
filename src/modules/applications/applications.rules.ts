import { formatScore } from '../../domain/decimal.js';
import { localDate } from '../../domain/deadlines.js';
import { ageOn } from '../../domain/eligibility.js';
import { admits, describeRestriction, ethnicGroupByCode, type EthnicRestriction } from '../../domain/ethnicity.js';
import { priorityPoints } from '../../domain/priority.js';
import type { RuleSet } from '../../domain/rule-sets.js';
import { AppError } from '../../errors.js';
import type { PriorityClaim } from '../candidates/candidates.table.js';
import type { DriveRow } from '../drives/drives.table.js';
import { checkReviewRegistration, type QuotaMethod, type ReviewDeclaration, type ReviewGroup } from '../../domain/review.js';

/*
 * The registration checks of DOMAIN.md "Registration rules", shared by single registration and
 * bulk import. Each refusal has its own stable code; import reports them per row.
 */

export type Refusal = { status: number; code: string; message: string; field?: string; extras?: Record<string, unknown> };

export const refuse = (r: Refusal) => new AppError(r.status, r.code, r.message, { ...(r.field ? { field: r.field } : {}), ...r.extras });

/**
 * Registration is open while the drive is `open` and today (Vietnamese local date) lies in the
 * registration window (Decree 138/2020 Art. 14(2); Decree 115/2020 Art. 15).
 */
export function windowRefusal(drive: DriveRow, now: Date): Refusal | null {
  const today = localDate(now);
  const opens = drive.registrationOpensOn;
  const closes = drive.registrationClosesOn;
  if (drive.status === 'open' && opens && closes && today >= opens && today <= closes) return null;
  return {
    status: 422,
    code: 'application.window_closed',
    message:
      drive.status !== 'open'
        ? `Registration is closed: the drive is ${drive.status}`
        : `Registration runs ${opens ?? '?'} – ${closes ?? '?'} (Asia/Ho_Chi_Minh); today is ${today}`,
    extras: { driveStatus: drive.status, opensOn: opens, closesOn: closes, today },
  };
}

export type Applicant = { birthDate: string; nationality: string };
export type ApplicationRequest = {
  choice: 1 | 2;
  priorityClaims: PriorityClaim[];
  exemptions: string[];
  /** The quota is designated for second choices (NV2) by the notice. */
  secondChoiceOpen: boolean;
};
export type PriorityOutcome = { priorityPoints: string; priorityCategory: string | null };

/**
 * Eligibility at registration (Law on Cadres and Civil Servants Art. 36(1); Law on Public
 * Employees Art. 22(1)): age on the closing date, nationality, not barred; then what the rule set
 * allows (NV2, exemptions) and priority points: only the highest claim counts (Decree 138/2020
 * Art. 5(2); Decree 115/2020 Art. 6(2)).
 */
export function applicantRefusal(
  drive: DriveRow,
  ruleSet: RuleSet,
  applicant: Applicant,
  barred: boolean,
  req: ApplicationRequest,
): { refusal: Refusal } | { priority: PriorityOutcome } {
  const closesOn = drive.registrationClosesOn;
  if (closesOn) {
    const age = ageOn(applicant.birthDate, closesOn);
    if (age < ruleSet.minAgeYears) {
      return {
        refusal: {
          status: 422,
          code: 'application.under_age',
          message: `Age ${age} on the closing date ${closesOn} is below the minimum ${ruleSet.minAgeYears}`,
          field: 'birthDate',
          extras: { age, minAgeYears: ruleSet.minAgeYears, closesOn },
        },
      };
    }
  }
  if (!ruleSet.nationalities.includes(applicant.nationality.toUpperCase())) {
    return {
      refusal: {
        status: 422,
        code: 'application.nationality',
        message: `Nationality ${applicant.nationality} is not allowed (allowed: ${ruleSet.nationalities.join(', ')})`,
        field: 'nationality',
        extras: { allowed: ruleSet.nationalities },
      },
    };
  }
  if (barred) {
    return {
      refusal: {
        status: 422,
        code: 'application.barred',
        message:
          'The candidate is barred from this drive: found to have cheated, they are not accepted by the same recruiting authority for its next recruitment (see bar)',
      },
    };
  }
  if (req.choice > ruleSet.applicationsPerCandidate) {
    return {
      refusal: {
        status: 422,
        code: 'application.second_choice_not_allowed',
        message: `This drive's rule set allows ${ruleSet.applicationsPerCandidate} application(s) per candidate: no second choice (NV2)`,
        field: 'choice',
        extras: { applicationsPerCandidate: ruleSet.applicationsPerCandidate },
      },
    };
  }
  if (req.choice === 2 && !req.secondChoiceOpen) {
    // Decree 115/2020 Art. 14(2)(e), (6) as amended by 85/2023: NV2 only for positions the notice designates.
    return {
      refusal: {
        status: 422,
        code: 'application.second_choice_not_designated',
        message: 'The notice does not designate this position for second choices (NV2)',
        field: 'choice',
      },
    };
  }
  const known = new Set(ruleSet.exemptions.map((e) => e.code));
  const unknownExemptions = req.exemptions.filter((e) => !known.has(e));
  if (unknownExemptions.length > 0) {
    return {
      refusal: {
        status: 422,
        code: 'application.unknown_exemption',
        message: `Unknown exemption(s) for this drive: ${unknownExemptions.join(', ')}`,
        field: 'exemptions',
        extras: { unknown: unknownExemptions, allowed: [...known].sort() },
      },
    };
  }
  const unknownCategories = req.priorityClaims.map((c) => c.category).filter((c) => !Object.hasOwn(ruleSet.priorityTable, c));
  if (unknownCategories.length > 0) {
    return {
      refusal: {
        status: 422,
        code: 'priority.unknown_category',
        message: `Unknown priority categor${unknownCategories.length === 1 ? 'y' : 'ies'}: ${unknownCategories.join(', ')}`,
        field: 'priorityCategory',
        extras: { unknown: unknownCategories, allowed: Object.keys(ruleSet.priorityTable).sort() },
      },
    };
  }
  const best = priorityPoints(req.priorityClaims, ruleSet.priorityTable);
  return { priority: { priorityPoints: formatScore(best.points), priorityCategory: best.category } };
}

export const quotaNotInDrive = (quotaRef: string, driveId: string, field = 'quotaId'): Refusal => ({
  status: 422,
  code: 'application.quota_not_in_drive',
  message: `Quota ${quotaRef} is not a quota of drive ${driveId}`,
  field,
});

export const duplicateRefusal = (): Refusal => ({
  status: 409,
  code: 'application.duplicate',
  message: 'The candidate already holds an active application for this choice or quota in this drive',
});

/**
 * A quota reserved for ethnic-minority candidates, or for named groups (Decree 170/2025 Art.
 * 3(2)(c)), takes only candidates of those groups: a Kinh candidate, one of another group, and one
 * whose ethnicity names none of the 54 groups (unmapped or absent) are refused alike.
 */
export function ethnicityRefusal(quota: { ethnicMinorityOnly: boolean; ethnicGroups: EthnicRestriction['ethnicGroups'] }, applicant: { ethnicity: string | null; ethnicityCode: string | null }): Refusal | null {
  const restriction: EthnicRestriction = { ethnicMinorityOnly: quota.ethnicMinorityOnly, ethnicGroups: quota.ethnicGroups };
  if (admits(restriction, applicant.ethnicityCode)) return null;
  const group = applicant.ethnicityCode ? ethnicGroupByCode(applicant.ethnicityCode) : undefined;
  const is = group
    ? `the candidate's ethnicity is ${group.name} (${group.code})`
    : `the candidate's ethnicity${applicant.ethnicity ? ` "${applicant.ethnicity}"` : ''} names none of the 54 groups (correct it with ethnicity or ethnicityCode)`;
  return {
    status: 422,
    code: 'application.ethnicity_restricted',
    message: `The position is ${describeRestriction(restriction)} (Decree 170/2025 Art. 3(2)(c)); ${is}`,
    field: 'ethnicity',
    extras: {
      restriction: { ethnicMinorityOnly: true, ethnicGroups: restriction.ethnicGroups },
      ethnicityCode: applicant.ethnicityCode,
    },
  };
}

/**
 * A registration to a review quota (Decree 170/2025 Art. 5: each group reviewed apart, checked at
 * registration with evidence references; Art. 12(4): no carry-over, so no NV2); an exam quota takes
 * no declaration.
 */
export function reviewRefusal(quota: { method: QuotaMethod; reviewGroup: ReviewGroup | null }, declared: ReviewDeclaration, choice: number): Refusal | null {
  const issue = checkReviewRegistration(quota, declared, choice);
  if (!issue) return null;
  return { status: 422, code: issue.code, message: issue.message, field: issue.code === 'application.review_second_choice' ? 'choice' : 'reviewGroup', ...(issue.details ? { extras: issue.details } : {}) };
}
