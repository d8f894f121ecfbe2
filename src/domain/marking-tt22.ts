import { averageRoundedToHundredth, formatScore } from './decimal.js';
import { defaultMarkingRules, type MarkingRegime, type MarkingRules, type RuleSet } from './rule-sets.js';

/*
 * Marking under Circular 22/2025/TT-BNV (Quy chế thi tuyển, xét tuyển công chức), in force from
 * 2025-12-10, for civil-servant drives under Decree 170/2025 (and, by analogy, the panel parts of
 * leadership-title exams). Scores are integer hundredths; every mean is rounded half up to 2 decimals.
 *
 * Paper written scripts, Quy chế Art. 16(2):
 *   two independent marks by two different members (marker 2 never re-marks a bag they marked first);
 *   spread ≤ 5           → the mean, 2 decimals (Art. 16(2)(c) para. 1);
 *   5 < spread < 10      → the head of marking discusses with both and decides (para. 2);
 *   spread ≥ 10          → a third, different member marks (para. 3);
 *   then 2 of 3 equal    → that mark (Art. 16(2)(d) para. 1);
 *        all 3 differ    → the head organises collective marking and decides (para. 2).
 * Score 0 for the breaches of Art. 16(3), decided by the head on a marker's written report.
 *
 * Oral, interview, practical, Đề án, Quy chế Art. 20(1), 22(1): at least 2 members score
 * independently, each on a signed sheet; the score is their mean at 2 decimals; only when members
 * differ by more than 10 points does the head of the panel decide.
 *
 * Computer-based written tests (Quy chế Art. 15 and 170 Art. 16(4)(b)) take the machine's score:
 * never double-marked, never appealed.
 */

/** In-force periods of the marking texts, like presets carry theirs (src/domain/preset-law.ts). */
export const MARKING_LAW: Record<MarkingRegime, { number: string; title: string; inForceFrom: string | null; inForceUntil: string | null; articles: string[] }> = {
  tt22_2025: {
    number: '22/2025/TT-BNV',
    title: 'Nội quy và Quy chế thi tuyển, xét tuyển công chức',
    inForceFrom: '2025-12-10',
    inForceUntil: null,
    articles: ['Quy chế Art. 16 (paper marking)', 'Quy chế Art. 20, 22 (panels)', 'Nội quy Art. 2 (candidate discipline)'],
  },
  tt06_2020: {
    number: '06/2020/TT-BNV',
    title: 'Quy chế tổ chức thi tuyển, xét tuyển công chức, viên chức (spread rule of Art. 31, thresholds from the rule set)',
    inForceFrom: '2020-12-02',
    inForceUntil: null,
    articles: ['Art. 31'],
  },
};

/** Quy chế Art. 16(2)(c): the mean of two marks stands up to a 5-point spread. */
export const TT22_AVERAGE_MAX_SPREAD = 500;
/** Quy chế Art. 16(2)(c): from a 10-point spread a third member marks. */
export const TT22_THIRD_MARKER_AT = 1000;
/** Quy chế Art. 22(1): the head of the panel decides only past a 10-point spread between members. */
export const TT22_PANEL_HEAD_ABOVE = 1000;
/** Quy chế Art. 20(1): at least two members score each candidate. */
export const TT22_PANEL_MIN = 2;

export type EffectiveMarking = MarkingRules & {
  /** Why each regime applies (citation shown in views and errors). */
  basis: { written: string; panel: string };
};

/**
 * The marking rules of a drive on a date: the rule set's own (or its preset's default); a regime not
 * yet in force on that date falls back to the one it replaced (Circular 22/2025 from 2025-12-10).
 */
export function markingRules(ruleSet: Pick<RuleSet, 'preset' | 'marking'>, onDate: string): EffectiveMarking {
  const chosen = ruleSet.marking ?? defaultMarkingRules(ruleSet.preset);
  const inForce = (r: MarkingRegime): MarkingRegime => {
    const from = MARKING_LAW[r].inForceFrom;
    return from !== null && onDate < from ? 'tt06_2020' : r;
  };
  const written = inForce(chosen.written);
  const panel = inForce(chosen.panel);
  const cite = (r: MarkingRegime, what: string) => `Circular ${MARKING_LAW[r].number} ${what}`;
  return {
    written,
    panel,
    basis: {
      written: written === 'tt22_2025' ? cite(written, 'Quy chế Art. 16') : cite(written, 'Art. 31'),
      panel: panel === 'tt22_2025' ? cite(panel, 'Quy chế Art. 22') : cite(panel, 'Art. 31'),
    },
  };
}

export type MarkOutcome = {
  status: 'awaiting_marks' | 'final' | 'head_decides' | 'escalated';
  /** Hundredths, or null while no final score exists. */
  score: number | null;
  rule: string | null;
  reason: string | null;
  spread: number | null;
};

const waiting = (status: MarkOutcome['status'], spread: number | null, reason: string | null): MarkOutcome => ({ status, score: null, rule: null, reason, spread });
const spreadOf = (marks: readonly number[]) => Math.max(...marks) - Math.min(...marks);

/** Quy chế Art. 16(2)(c)–(d): a paper written script's two (or three) marks. */
export function reconcileDoubleTt22(marks: { first?: number | undefined; second?: number | undefined; third?: number | undefined }): MarkOutcome {
  const { first, second, third } = marks;
  if (first === undefined || second === undefined) return waiting('awaiting_marks', null, null);
  const spread = spreadOf([first, second]);
  if (spread <= TT22_AVERAGE_MAX_SPREAD) {
    return {
      status: 'final',
      score: averageRoundedToHundredth([first, second]),
      rule: 'average',
      reason: `Mean of ${formatScore(first)} and ${formatScore(second)}, 2 decimals (spread ${formatScore(spread)} ≤ 5; Circular 22/2025 Quy chế Art. 16(2)(c))`,
      spread,
    };
  }
  if (spread < TT22_THIRD_MARKER_AT) {
    return waiting('head_decides', spread, `Spread ${formatScore(spread)} is above 5 and below 10: the head of marking decides (Quy chế Art. 16(2)(c))`);
  }
  if (third === undefined) {
    return waiting('escalated', spread, `Spread ${formatScore(spread)} reaches 10: a third member marks (Quy chế Art. 16(2)(c))`);
  }
  const all = [first, second, third];
  const agreed = all.find((m, i) => all.some((o, j) => j !== i && o === m));
  if (agreed !== undefined) {
    return {
      status: 'final',
      score: agreed,
      rule: 'two_of_three',
      reason: `Two of the three marks ${all.map(formatScore).join(', ')} are equal (Quy chế Art. 16(2)(d))`,
      spread,
    };
  }
  return waiting('head_decides', spreadOf(all), `The three marks ${all.map(formatScore).join(', ')} all differ: the head of marking decides after collective marking (Quy chế Art. 16(2)(d))`);
}

/**
 * Quy chế Art. 20(1), 22(1): a panel part's marks. `panelSize` is the number of members the part
 * must reach; a part without one cannot be final (the size is fixed when the panel is formed).
 */
export function reconcilePanelTt22(marks: readonly number[], panelSize: number | null): MarkOutcome {
  if (panelSize === null || panelSize < TT22_PANEL_MIN) {
    return waiting('awaiting_marks', null, 'The part has no panel size of at least 2 members: it cannot be final (Quy chế Art. 20(1))');
  }
  if (marks.length < panelSize) {
    return waiting('awaiting_marks', marks.length >= 2 ? spreadOf(marks) : null, `${marks.length} of ${panelSize} panel members have marked (Quy chế Art. 20(1))`);
  }
  const spread = spreadOf(marks);
  if (spread > TT22_PANEL_HEAD_ABOVE) {
    return waiting('head_decides', spread, `Panel members differ by ${formatScore(spread)}, more than 10: the head of the panel decides (Quy chế Art. 22(1))`);
  }
  return {
    status: 'final',
    score: averageRoundedToHundredth(marks),
    rule: 'average',
    reason: `Mean of ${marks.length} panel members, 2 decimals (spread ${formatScore(spread)} ≤ 10; Quy chế Art. 22(1))`,
    spread,
  };
}

export type PanelViolation = { code: 'part.panel_size_required' | 'part.panel_required'; message: string; details: Record<string, unknown> };

/**
 * The first way a round's parts would let a panel part be marked by fewer than two members, under a
 * drive whose panels follow Circular 22/2025 on `onDate` (Quy chế Art. 20(1): "tối thiểu từ 02 thành
 * viên ban trở lên" score each candidate in an oral, interview, practical or Đề án exam; Art. 22(1):
 * the score is the mean of the members' marks), or null:
 * - a panel part names the size its panel must reach (panelSize ≥ 2): without one, a single member's
 *   mark would be the panel's;
 * - a part the rule set's structure for the round's grade (its `roundDefaults` for a round of every
 *   quota) makes a panel part (the interview, the nhân viên oral or practical exam, the Đề án, the
 *   leadership action plan) is not marked `single` or `double` instead.
 * Drives whose panels keep the older rule (Circular 6/2020) are not constrained here.
 */
export function panelConfigurationViolation(
  ruleSet: Pick<RuleSet, 'preset' | 'marking' | 'roundDefaults' | 'structures'>,
  round: { grade: string | null; parts: readonly { code: string; markingMode: string; panelSize?: number | null | undefined }[] },
  onDate: string,
): PanelViolation | null {
  if (markingRules(ruleSet, onDate).panel !== 'tt22_2025') return null;
  const unsized = round.parts.filter((p) => p.markingMode === 'panel' && (p.panelSize === null || p.panelSize === undefined || p.panelSize < TT22_PANEL_MIN));
  if (unsized.length > 0) {
    return {
      code: 'part.panel_size_required',
      message: `Panel part(s) ${unsized.map((p) => p.code).join(', ')} must name their panel size, at least ${TT22_PANEL_MIN} members (Circular 22/2025 Quy chế Art. 20(1), 22(1))`,
      details: { parts: unsized.map((p) => p.code), minimum: TT22_PANEL_MIN },
    };
  }
  const structure = (round.grade !== null ? ruleSet.structures?.[round.grade as keyof NonNullable<RuleSet['structures']>] : undefined) ?? ruleSet.roundDefaults;
  const panelCodes = new Set(structure.flatMap((r) => r.parts.filter((p) => p.panel).map((p) => p.code)));
  const single = round.parts.filter((p) => p.markingMode !== 'panel' && panelCodes.has(p.code));
  if (single.length > 0) {
    return {
      code: 'part.panel_required',
      message:
        `Part(s) ${single.map((p) => p.code).join(', ')} are oral, interview, practical or Đề án parts in the rule set: each candidate is scored by at least ` +
        `${TT22_PANEL_MIN} panel members (Circular 22/2025 Quy chế Art. 20(1), 22(1)): mark them 'panel' with a panelSize`,
      details: { parts: single.map((p) => ({ code: p.code, markingMode: p.markingMode })), minimum: TT22_PANEL_MIN },
    };
  }
  return null;
}
