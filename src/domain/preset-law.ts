import { DomainError } from './errors.js';
import { PRESETS, presetRuleSet, type Preset, type RuleSet } from './rule-sets.js';

/*
 * Which rule-set preset a drive may pin, decided by the date its recruitment plan (kế hoạch tuyển
 * dụng) was approved. Each preset names the texts it implements (a citation, not the text) and the
 * period of plans it governs:
 *  - Decree 138/2020 was repealed from 2025-07-01 (170/2025 Art. 71(2)(c)): only a historical
 *    recomputation may pin it, with a reason that the audit trail keeps;
 *  - Decree 170/2025 as issued governs plans approved 2025-07-01 … 2026-07-31 (170 Art. 71(1); plans
 *    approved before Decree 300/2026 took effect continue under it, 300 Art. 35(1));
 *  - 170 as amended by 300 governs plans approved from 2026-08-01 (300 Art. 36);
 *  - Decree 115/2020 as amended by 85/2023 governs public-employee plans approved from 2023-12-07;
 *    a new Law on Public Employees took effect 2026-07-01 and its implementing decree is not in our
 *    hands, so a plan approved from then may pin 115 only as `provisional`, with a warning.
 * A pin outside its period is refused with `rule_set.not_in_force`, the dates in the details.
 */

export const PRESET_USES = ['current', 'historical', 'provisional'] as const;
export type PresetUse = (typeof PRESET_USES)[number];

export type LegalText = {
  /** Document number as published, e.g. "170/2025/NĐ-CP". */
  number: string;
  title: string;
  issuedOn: string | null;
  inForceFrom: string | null;
  /** Last day in force; null while in force or unknown to us. */
  inForceUntil: string | null;
  /** Articles this preset implements. */
  articles: string[];
  note: string | null;
};

export type PresetLaw = {
  preset: Preset;
  title: string;
  citation: LegalText[];
  /** Plans approved within these dates (inclusive; null = open) may pin the preset. */
  period: { planApprovedFrom: string | null; planApprovedTo: string | null };
  /** The text is repealed: only a drive marked as a historical recomputation may pin it. */
  historicalOnly: boolean;
  /** Plans approved from this date may pin the preset only as `provisional` (the text in force is not in our hands). */
  provisionalFrom: string | null;
  notes: string[];
};

export type PresetWarning = { code: string; message: string };

const D170: LegalText = {
  number: '170/2025/NĐ-CP',
  title: 'Quy định về tuyển dụng, sử dụng và quản lý công chức',
  issuedOn: '2025-06-30',
  inForceFrom: '2025-07-01',
  inForceUntil: null,
  articles: [
    'Art. 3(2)(d), (e) (exam and review positions in one plan)',
    'Art. 5 (review groups)',
    'Art. 6 (priority)',
    'Art. 9 (exam structure)',
    'Art. 10 (winners, ties)',
    'Art. 11, 12 (review: oral round 2, winners, ties)',
    'Art. 16(6) (review oral within 15 days of the summons, no appeal)',
    'Art. 70 (transition)', 'Art. 71 (in force; repeals 138/2020 and 06/2023)'],
  note: null,
};

const LAW: Record<Preset, PresetLaw> = {
  nd138: {
    preset: 'nd138',
    title: 'Civil servants, Decree 138/2020 (historical)',
    citation: [
      {
        number: '138/2020/NĐ-CP',
        title: 'Quy định về tuyển dụng, sử dụng và quản lý công chức',
        issuedOn: '2020-11-27',
        inForceFrom: '2020-11-27',
        inForceUntil: '2025-06-30',
        articles: ['Art. 5 (priority)', 'Art. 8 (exam)', 'Art. 9 (winners, ties)'],
        note: 'Repealed from 2025-07-01 by Decree 170/2025 Art. 71(2)(c); drives that had finished round 1 before then could finish under it within 3 months (170 Art. 70(1))',
      },
    ],
    period: { planApprovedFrom: '2020-11-27', planApprovedTo: '2025-06-30' },
    historicalOnly: true,
    provisionalFrom: null,
    notes: ['Only for recomputing a past drive: mark the drive historical with a reason.'],
  },
  nd115: {
    preset: 'nd115',
    title: 'Public employees, Decree 115/2020 as amended by Decree 85/2023',
    citation: [
      {
        number: '115/2020/NĐ-CP',
        title: 'Quy định về tuyển dụng, sử dụng và quản lý viên chức',
        issuedOn: '2020-09-25',
        inForceFrom: '2020-09-29',
        inForceUntil: null,
        articles: ['Art. 6 (priority)', 'Art. 9 (exam)', 'Art. 10 (winners, ties, NV2)', 'Art. 11, 12 (review: round 2 oral, practical or written; winners, ties)', 'Art. 14 (notice; NV2 positions)'],
        note: null,
      },
      {
        number: '85/2023/NĐ-CP',
        title: 'Sửa đổi, bổ sung một số điều của Nghị định số 115/2020/NĐ-CP',
        issuedOn: '2023-12-07',
        inForceFrom: '2023-12-07',
        inForceUntil: null,
        articles: ['Art. 1 (amends 115/2020 Art. 6, 9, 10, 14)'],
        note: 'The input-quality exemption of 115 Art. 9(1)(a) rests on Decree 06/2023, repealed from 2025-07-01 by Decree 170/2025 Art. 71(2)(d)',
      },
    ],
    period: { planApprovedFrom: '2023-12-07', planApprovedTo: '2026-06-30' },
    historicalOnly: false,
    provisionalFrom: '2026-07-01',
    notes: [
      'The Law on Public Employees in force from 2026-07-01 is to be implemented by a new decree that is not in our hands: plans approved from then may pin this preset only as provisional.',
    ],
  },
  nd170: {
    preset: 'nd170',
    title: 'Civil servants, Decree 170/2025 as issued',
    citation: [D170],
    period: { planApprovedFrom: '2025-07-01', planApprovedTo: '2026-07-31' },
    historicalOnly: false,
    provisionalFrom: null,
    notes: [
      'Plans approved before 2026-08-01 continue under 170 as issued for 6 months, to 2027-01-31; what is unfinished then follows Decree 300/2026 (300 Art. 35(1)).',
    ],
  },
  'nd170-300': {
    preset: 'nd170-300',
    title: 'Civil servants, Decree 170/2025 as amended by Decree 300/2026',
    citation: [
      D170,
      {
        number: '300/2026/NĐ-CP',
        title: 'Sửa đổi, bổ sung một số điều của Nghị định số 170/2025/NĐ-CP',
        issuedOn: '2026-07-29',
        inForceFrom: '2026-08-01',
        inForceUntil: null,
        articles: ['Art. 1 (170 Art. 6(1)(c): wider 2.5-point group)', 'Art. 2 (170 Art. 9(4)(d): Đề án ≤ 90 minutes)', 'Art. 35 (transition)', 'Art. 36 (in force)'],
        note: null,
      },
    ],
    period: { planApprovedFrom: '2026-08-01', planApprovedTo: null },
    historicalOnly: false,
    provisionalFrom: null,
    notes: [],
  },
  leadership: {
    preset: 'leadership',
    title: 'Leadership-title exams (thi tuyển chức danh lãnh đạo, quản lý)',
    citation: [
      {
        number: '2424/BNV-CCVC',
        title: 'Ministry of Home Affairs guidance on leadership-title exams (2017)',
        issuedOn: null,
        inForceFrom: null,
        inForceUntil: null,
        articles: [],
        note: 'National guidance gives principles, not numbers; provinces set their own rules through overrides',
      },
    ],
    period: { planApprovedFrom: null, planApprovedTo: null },
    historicalOnly: false,
    provisionalFrom: null,
    notes: [],
  },
};

export function presetLaw(preset: Preset): PresetLaw {
  return structuredClone(LAW[preset]);
}

/** Every preset with its law and its rule set (priority table, structures, gates, tie chain). */
export function presetCatalog(): (PresetLaw & { ruleSet: RuleSet })[] {
  return PRESETS.map((p) => ({ ...presetLaw(p), ruleSet: presetRuleSet(p) }));
}

function inPeriod(date: string, period: PresetLaw['period']): boolean {
  return (period.planApprovedFrom === null || date >= period.planApprovedFrom) && (period.planApprovedTo === null || date <= period.planApprovedTo);
}

function describePeriod(period: PresetLaw['period']): string {
  const from = period.planApprovedFrom ?? 'any date';
  return period.planApprovedTo === null ? `plans approved from ${from}` : `plans approved ${from} … ${period.planApprovedTo}`;
}

/**
 * The preset a recruitment drive gets when the client names none: the one whose period holds the
 * plan date, else one that may be pinned provisionally there; the choice is then checked like a pin.
 */
export function defaultPresetFor(staffCategory: 'civil_servant' | 'public_employee', planDate: string): Preset {
  const candidates = PRESETS.filter((p) => p !== 'leadership' && presetRuleSet(p).staffCategory === staffCategory);
  const found =
    candidates.find((p) => inPeriod(planDate, LAW[p].period)) ??
    candidates.find((p) => LAW[p].provisionalFrom !== null && planDate >= LAW[p].provisionalFrom!) ??
    // Before every period (e.g. a public-employee plan of 2022): the oldest, which the check refuses.
    candidates[0];
  if (found === undefined) throw new DomainError('rule_set.unknown_preset', `No preset for ${staffCategory}`);
  return found;
}

/** What a drive pinned as `use` tells its readers (nothing for a preset in force). */
export function presetUseWarnings(preset: Preset, use: PresetUse, planDate: string): PresetWarning[] {
  const law = LAW[preset];
  switch (use) {
    case 'current':
      return [];
    case 'historical':
      return [{ code: 'rule_set.historical', message: `Historical recomputation under ${preset} (${law.citation.map((c) => c.number).join(', ')})` }];
    case 'provisional':
      return [
        {
          code: 'rule_set.provisional',
          message: `Preset ${preset} pinned provisionally for a plan approved on ${planDate}: ${law.notes[0] ?? 'the text in force is not in our hands'}`,
        },
      ];
  }
}

/**
 * Checks that `preset` may be pinned for a plan approved on `planDate` as `use`; returns the warnings
 * the drive carries. Throws `rule_set.not_in_force` (with the period) or
 * `rule_set.provisional_not_applicable`.
 */
export function checkPresetChoice(preset: Preset, planDate: string, use: PresetUse): PresetWarning[] {
  const law = LAW[preset];
  const details = {
    preset,
    planApprovedOn: planDate,
    period: law.period,
    historicalOnly: law.historicalOnly,
    provisionalFrom: law.provisionalFrom,
    citation: law.citation.map((c) => ({ number: c.number, inForceFrom: c.inForceFrom, inForceUntil: c.inForceUntil })),
  };
  const within = inPeriod(planDate, law.period);
  if (use === 'historical') {
    if (!within) {
      throw new DomainError(
        'rule_set.not_in_force',
        `Preset ${preset} governs ${describePeriod(law.period)}; a plan approved on ${planDate} was not under it, even for a historical recomputation`,
        details,
      );
    }
    return presetUseWarnings(preset, use, planDate);
  }
  if (use === 'provisional') {
    if (law.provisionalFrom === null || planDate < law.provisionalFrom) {
      throw new DomainError(
        'rule_set.provisional_not_applicable',
        law.provisionalFrom === null
          ? `Preset ${preset} is never pinned provisionally`
          : `Preset ${preset} is pinned provisionally only for plans approved from ${law.provisionalFrom}; ${planDate} is within its own period`,
        details,
      );
    }
    return presetUseWarnings(preset, use, planDate);
  }
  if (law.historicalOnly) {
    throw new DomainError(
      'rule_set.not_in_force',
      `Preset ${preset} (${law.citation[0]?.number}) is no longer in force; pin it only for a historical recomputation, with a reason`,
      details,
    );
  }
  if (!within) {
    const hint =
      law.provisionalFrom !== null && planDate >= law.provisionalFrom
        ? `; pin it as provisional if no text in force is available`
        : '';
    throw new DomainError('rule_set.not_in_force', `Preset ${preset} governs ${describePeriod(law.period)}, not a plan approved on ${planDate}${hint}`, details);
  }
  return [];
}
