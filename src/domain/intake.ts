/*
 * Intake (tiếp nhận): a person taken in without an exam. Civil servants: Decree 170/2025 Art. 13–14
 * as issued (replaced by Decree 300/2026 Art. 3–4, whose text we hold only in summary); public
 * employees: Decree 115/2020 Art. 13 as amended by 85/2023. The categories, their conditions, the
 * dossier items and who decides are data (a versioned catalogue seeded from those texts); this file
 * holds only the checks a catalogue entry is applied with.
 */
import { reconcilePanelTt22, type MarkOutcome } from './marking-tt22.js';

/** What a category asks instead of an exam (170 Art. 13(3); 115 Art. 13(1)). */
export const intakeConditions = ['insured_years', 'results', 'assignment_decision', 'none'] as const;
export type IntakeCondition = (typeof intakeConditions)[number];

/** Who decides (170 Art. 13(2)): the head of the recruiting authority or of the managing authority. */
export const intakeAuthorities = ['recruiting_authority_head', 'managing_authority_head'] as const;
export type IntakeAuthority = (typeof intakeAuthorities)[number];

/** One paper of the dossier; a validity is counted back from the day the dossier is received. */
export type DossierItemRule = { code: string; name: string; validityDays: number | null; validityMonths: number | null };

export type IntakeCategoryRule = {
  condition: IntakeCondition;
  /** Years of relevant work with compulsory social insurance, when `condition` is insured_years. */
  minYears: number | null;
  councilRequired: boolean;
  oralRequired: boolean;
  dossierItems: readonly DossierItemRule[];
};

export type IntakeFacts = {
  /** Months of relevant work with compulsory social insurance (added up when not continuous). */
  insuredMonths: number | null;
  /** The work was professional work fitting the position. */
  relevantWork: boolean;
  /** Results or products fitting the position (the talent category, 170 Art. 13(3)(a)). */
  resultsRef: string | null;
  /** The written decision assigning the person elsewhere (170 Art. 13(3)(c); 115 Art. 13(1)(c)). */
  assignmentDecision: { number: string; date: string } | null;
  /** Under discipline or serving a disciplinary decision (170 Art. 13(3)). */
  underDiscipline: boolean;
  /** Taken in to a leadership post: the appointment procedure applies, no council (170 Art. 14(2)(b), 14(5); 115 Art. 13(4)(a)). */
  leadershipPost: boolean;
  receivedOn: string;
  dossier: readonly { code: string; issuedOn: string }[];
};

export type IntakeProblem = { code: string; message: string; item?: string };

export type IntakeAssessment = {
  conditionsMet: boolean;
  dossierComplete: boolean;
  councilRequired: boolean;
  oralRequired: boolean;
  problems: IntakeProblem[];
};

const DAY_MS = 86_400_000;
const toUtc = (d: string) => Date.parse(`${d}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `date` less `months` calendar months (the day clamped to the month's last: 31 Aug − 6 months = 28/29 Feb). */
export function minusMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromUtc(Date.UTC(year, month, Math.min(d, last)));
}

/** The earliest issue date a dossier item may carry for a dossier received on `receivedOn`. */
export function earliestIssue(rule: DossierItemRule, receivedOn: string): string | null {
  if (rule.validityDays !== null) return fromUtc(toUtc(receivedOn) - rule.validityDays * DAY_MS);
  if (rule.validityMonths !== null) return minusMonths(receivedOn, rule.validityMonths);
  return null;
}

/** Every required paper present, issued no later than the dossier and within its validity (170 Art. 13(4); 115 Art. 13(3)). */
export function checkDossier(items: readonly DossierItemRule[], receivedOn: string, given: IntakeFacts['dossier']): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  for (const rule of items) {
    const paper = given.find((g) => g.code === rule.code);
    if (!paper) {
      problems.push({ code: 'dossier_item_missing', item: rule.code, message: `The dossier lacks ${rule.name}` });
      continue;
    }
    if (paper.issuedOn > receivedOn) {
      problems.push({ code: 'dossier_item_after_receipt', item: rule.code, message: `${rule.name} is dated ${paper.issuedOn}, after the dossier was received on ${receivedOn}` });
      continue;
    }
    const earliest = earliestIssue(rule, receivedOn);
    if (earliest !== null && paper.issuedOn < earliest) {
      const period = rule.validityDays !== null ? `${rule.validityDays} days` : `${rule.validityMonths} months`;
      problems.push({
        code: 'dossier_item_expired',
        item: rule.code,
        message: `${rule.name} is dated ${paper.issuedOn}: it must be made within ${period} before the dossier (received ${receivedOn}), i.e. on or after ${earliest}`,
      });
    }
  }
  return problems;
}

/** The conditions the category asks (170 Art. 13(3)(a)–(c); 115 Art. 13(1)). */
export function checkConditions(rule: IntakeCategoryRule, facts: IntakeFacts): IntakeProblem[] {
  const problems: IntakeProblem[] = [];
  if (facts.underDiscipline) {
    problems.push({ code: 'under_discipline', message: 'A person under discipline or serving a disciplinary decision is not taken in (170 Art. 13(3))' });
  }
  switch (rule.condition) {
    case 'insured_years': {
      const needed = (rule.minYears ?? 0) * 12;
      const months = facts.insuredMonths ?? 0;
      if (months < needed) {
        problems.push({ code: 'insured_years_short', message: `${months} months of insured relevant work; the category needs ${rule.minYears} years (${needed} months)` });
      }
      if (!facts.relevantWork) problems.push({ code: 'work_not_relevant', message: 'The work counted must be professional work fitting the position' });
      break;
    }
    case 'results':
      if (!facts.resultsRef) problems.push({ code: 'results_missing', message: 'The category needs results or products fitting the position' });
      break;
    case 'assignment_decision':
      // 170 Art. 13(3)(c): the written decision replaces the five years.
      if (!facts.assignmentDecision) problems.push({ code: 'assignment_decision_missing', message: 'The category needs the written decision that assigned the person to the other agency' });
      break;
    case 'none':
      break;
  }
  return problems;
}

/** No council for a leadership post (170 Art. 14(2)(b); 115 Art. 13(4)(a)); else as the category says (170 Art. 14(2)(a); 115 Art. 13(2)(a), 13(4)(b)). */
export const councilNeeded = (rule: Pick<IntakeCategoryRule, 'councilRequired'>, leadershipPost: boolean) => !leadershipPost && rule.councilRequired;

export function assessIntake(rule: IntakeCategoryRule, facts: IntakeFacts): IntakeAssessment {
  const conditionProblems = checkConditions(rule, facts);
  const dossierProblems = checkDossier(rule.dossierItems, facts.receivedOn, facts.dossier);
  const council = councilNeeded(rule, facts.leadershipPost);
  return {
    conditionsMet: conditionProblems.length === 0,
    dossierComplete: dossierProblems.length === 0,
    councilRequired: council,
    oralRequired: council && rule.oralRequired,
    problems: [...conditionProblems, ...dossierProblems],
  };
}

/** Seats of a council formed as the recruitment council: 5 or 7 members, a chair, a deputy and a secretary (170 Art. 8(1)). */
export function checkCouncilComposition(seats: readonly string[]): string | null {
  if (seats.length !== 5 && seats.length !== 7) return `The council has ${seats.length} members: it has 5 or 7 (170 Art. 8(1))`;
  for (const [seat, what] of [
    ['head', 'chair'],
    ['deputy', 'deputy chair'],
    ['secretary', 'secretary'],
  ] as const) {
    const n = seats.filter((s) => s === seat).length;
    if (n !== 1) return `The council has ${n} ${what}s: it has exactly one (170 Art. 8(1))`;
  }
  return null;
}

/**
 * The oral (sát hạch vấn đáp, 170 Art. 14(1)(b)) marked by the council members who examined: each
 * marks out of 100, the score is their mean at 2 decimals, and the chair decides past a 10-point
 * spread, as for any oral panel (Circular 22/2025 Quy chế Art. 22(1)). Marks in hundredths.
 */
export const oralOutcome = (marks: readonly number[]): MarkOutcome => reconcilePanelTt22(marks, marks.length >= 2 ? marks.length : null);
