import { addDays } from './deadlines.js';
import { DomainError } from './errors.js';
import { computeRecruitmentResults, type QuotaResult, type RecruitmentInput } from './ranking.js';
import { QUOTA_METHODS, REVIEW_GROUPS, type QuotaMethod, type ReviewGroup, type ReviewRules, type RuleSet } from './rule-sets.js';

export { QUOTA_METHODS, REVIEW_GROUPS };
export type { QuotaMethod, ReviewGroup, ReviewRules };

/*
 * Selection by review (xét tuyển) as a method per quota. A plan may hold exam and review positions
 * together (Decree 170/2025 Art. 3(2)(d), (e)). Round 1 of a review is the form check (the
 * application's eligibility); round 2 is the professional review: an oral for civil servants (170
 * Art. 11(2)), oral, practical or written for public employees (115 Art. 11(2) → Art. 9(2)). The
 * rules that differ between the decrees are the rule set's `review` section.
 */

/** A rule problem: the caller turns it into a 422 with this stable code. */
export type ReviewIssue = { code: string; message: string; details?: Record<string, unknown> };

const GROUP_LABEL: Record<ReviewGroup, string> = {
  disadvantaged_area_commitment: 'a 5-year commitment to very disadvantaged areas (Art. 5(1))',
  cu_tuyen_graduate: 'cử tuyển graduates returning to the sending locality (Art. 5(2))',
  talent: 'excellent graduates and young scientists under the talent policy (Art. 5(3))',
};

/** A quota's method and group against the drive's rule set (170 Art. 5: each group reviewed apart). */
export function checkReviewQuota(
  ruleSet: Pick<RuleSet, 'preset' | 'review'>,
  quota: { method: QuotaMethod; reviewGroup: ReviewGroup | null; secondChoiceOpen: boolean; leadership: boolean },
): ReviewIssue | null {
  if (quota.method === 'exam') {
    return quota.reviewGroup === null ? null : { code: 'quota.review_group_not_applicable', message: 'Only a review quota names a group of Decree 170/2025 Art. 5' };
  }
  const rules = ruleSet.review;
  if (!rules || quota.leadership) {
    return { code: 'quota.review_not_allowed', message: `The drive's rule set (${ruleSet.preset}) holds no selection by review`, details: { preset: ruleSet.preset } };
  }
  if (rules.groups.length > 0 && quota.reviewGroup === null) {
    return { code: 'quota.review_group_required', message: 'Decree 170/2025 Art. 5: a review quota is for one group, reviewed apart', details: { groups: rules.groups } };
  }
  if (quota.reviewGroup !== null && !rules.groups.includes(quota.reviewGroup)) {
    return { code: 'quota.review_group_not_applicable', message: `The rule set's reviews have no group ${quota.reviewGroup}`, details: { groups: rules.groups } };
  }
  // 170 Art. 12(4), 115 Art. 12(2): a review's result is not kept for another choice or drive.
  if (quota.secondChoiceOpen) return { code: 'quota.review_second_choice', message: 'A review position is not open to second choices (NV2)' };
  return null;
}

/** What a registration declares for a review quota: the group and the references of its evidence. */
export type ReviewDeclaration = { group: ReviewGroup | null; evidenceRefs: readonly string[] };

/** A registration against its quota's method and group (170 Art. 5: checked at registration, with evidence). */
export function checkReviewRegistration(
  quota: { method: QuotaMethod; reviewGroup: ReviewGroup | null },
  declared: ReviewDeclaration,
  choice: number,
): ReviewIssue | null {
  if (quota.method === 'exam') {
    return declared.group === null && declared.evidenceRefs.length === 0
      ? null
      : { code: 'application.review_group_not_applicable', message: 'The quota recruits by exam: no review group is declared' };
  }
  if (choice !== 1) return { code: 'application.review_second_choice', message: 'A review position takes first choices only (no carry-over)' };
  if (quota.reviewGroup === null) {
    return declared.group === null ? null : { code: 'application.review_group_not_applicable', message: 'The review quota is not for a group of Decree 170/2025 Art. 5: no group is declared' };
  }
  if (declared.group === null) {
    return { code: 'application.review_group_required', message: `The quota is for ${GROUP_LABEL[quota.reviewGroup]}: declare the group with its evidence`, details: { quotaGroup: quota.reviewGroup } };
  }
  if (declared.group !== quota.reviewGroup) {
    return {
      code: 'application.review_group_mismatch',
      message: `The quota is for ${GROUP_LABEL[quota.reviewGroup]}, not ${GROUP_LABEL[declared.group]} (Decree 170/2025 Art. 5: each group reviewed apart)`,
      details: { quotaGroup: quota.reviewGroup, declaredGroup: declared.group },
    };
  }
  if (declared.evidenceRefs.length === 0) {
    return { code: 'application.review_evidence_required', message: 'The declared group needs at least one evidence reference', details: { quotaGroup: quota.reviewGroup } };
  }
  return null;
}

/** The last day a review's oral may be held (170 Art. 16(6): within 15 days of the summons); null: no limit. */
export function oralDueBy(rules: Pick<ReviewRules, 'oralWithinDaysOfSummons'>, summonedOn: string | null): string | null {
  if (summonedOn === null || rules.oralWithinDaysOfSummons === null) return null;
  return addDays(summonedOn, rules.oralWithinDaysOfSummons);
}

/**
 * A round of the review quotas against the rule set: its form (a written part only where the rules
 * allow a written round 2), each ranking part's maximum, and its date within the summons limit.
 */
export function checkReviewRound(
  rules: ReviewRules,
  round: { ranking: boolean; foreignLanguage: boolean; parts: readonly { code: string; written: boolean; maxScore: number }[]; summonedOn: string | null; scheduledOn: string | null },
): ReviewIssue | null {
  if (round.foreignLanguage) return null;
  const written = round.parts.filter((p) => p.written);
  if (written.length > 0 && !rules.round2Forms.includes('written')) {
    return {
      code: 'round.review_form_not_allowed',
      message: `${rules.legalBasis}: the review's round 2 is ${rules.round2Forms.join(' or ')}, not written`,
      details: { parts: written.map((p) => p.code), allowed: rules.round2Forms },
    };
  }
  if (round.ranking) {
    const off = round.parts.filter((p) => p.maxScore !== rules.round2MaxScore);
    if (off.length > 0) {
      return {
        code: 'round.review_max_score',
        message: `The review's round 2 is marked on ${rules.round2MaxScore / 100} points`,
        details: { parts: off.map((p) => p.code), maxScore: rules.round2MaxScore / 100 },
      };
    }
  }
  const due = oralDueBy(rules, round.summonedOn);
  if (due !== null && round.scheduledOn !== null && round.scheduledOn > due) {
    return {
      code: 'round.review_oral_late',
      message: `Decree 170/2025 Art. 16(6): the oral is held within ${rules.oralWithinDaysOfSummons} days of the summons (${round.summonedOn}), by ${due}`,
      details: { summonedOn: round.summonedOn, scheduledOn: round.scheduledOn, dueBy: due },
    };
  }
  if (round.scheduledOn !== null && round.summonedOn !== null && round.scheduledOn < round.summonedOn) {
    return { code: 'round.review_oral_before_summons', message: 'The oral cannot precede the summons', details: { summonedOn: round.summonedOn, scheduledOn: round.scheduledOn } };
  }
  return null;
}

/** Whether a review's part may be appealed: never under 170 (Art. 16(6)); a written part under 115 (as in the exam). */
export function reviewPartAppealable(rules: Pick<ReviewRules, 'appeals'> | undefined, part: { written: boolean }): boolean {
  if (!rules) return false;
  return rules.appeals === 'written_parts' && part.written;
}

/**
 * The ranking rules of the review quotas, in the engine's terms: round 2 at least `round2MinRaw`
 * before priority, no part gate, the review's tie chain (170 Art. 12(2): higher round 2, then the
 * head), first choices only (170 Art. 12(4): no carry-over).
 */
export function reviewRankingRuleSet(ruleSet: RuleSet): RuleSet {
  const rules = ruleSet.review;
  if (!rules) throw new DomainError('ranking.invalid_input', `The rule set (${ruleSet.preset}) holds no selection by review`);
  return {
    ...ruleSet,
    gate: { ...ruleSet.gate, rankingRoundMinRaw: rules.round2MinRaw, rankingRoundPartMinPercent: null },
    tieBreak: [...rules.tieBreak],
    applicationsPerCandidate: 1,
  };
}

/**
 * Results of a drive holding exam and review quotas (170 Art. 3(2)(d)): each method ranked under
 * its own rules, joint positions within a method as in the exam (170 Art. 12(3)); results in the
 * order of the input's quotas.
 */
export function computeResultsByMethod(input: RecruitmentInput, methodOf: (quotaId: string) => QuotaMethod): QuotaResult[] {
  const reviewQuotas = input.quotas.filter((q) => methodOf(q.id) === 'review');
  if (reviewQuotas.length === 0) return computeRecruitmentResults(input);
  const ids = new Set(reviewQuotas.map((q) => q.id));
  const mixedJoint = input.quotas.find((q) => q.jointKey && !ids.has(q.id) && reviewQuotas.some((r) => r.jointKey === q.jointKey));
  if (mixedJoint) throw new DomainError('ranking.invalid_input', 'A jointly recruited position mixes exam and review quotas', { jointKey: mixedJoint.jointKey });
  const examQuotas = input.quotas.filter((q) => !ids.has(q.id));
  const part = (quotas: typeof input.quotas, ruleSet: RuleSet): QuotaResult[] => {
    if (quotas.length === 0) return [];
    const own = new Set(quotas.map((q) => q.id));
    return computeRecruitmentResults({
      ruleSet,
      quotas,
      applications: input.applications.filter((a) => own.has(a.quotaId)),
      ...(input.tieDecisions ? { tieDecisions: input.tieDecisions.filter((d) => own.has(d.quotaId)) } : {}),
    });
  };
  const byId = new Map([...part(examQuotas, input.ruleSet), ...part(reviewQuotas, reviewRankingRuleSet(input.ruleSet))].map((r) => [r.quotaId, r]));
  return input.quotas.map((q) => byId.get(q.id)!);
}
