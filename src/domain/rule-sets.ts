import { z } from 'zod';
import { DomainError } from './errors.js';
import { isCalendarDate } from './date-strings.js';

/*
 * A drive's rule set is data, pinned on the drive (jsonb) and returned by the API. The law has
 * changed several times since 2020 and provinces add their own rules, so every threshold lives
 * here rather than in an `if`.
 *
 * Units, used consistently:
 *  - scores, points, thresholds and spreads are INTEGER HUNDREDTHS (50 points → 5000;
 *    7.5 priority points → 750), never decimal strings or floats;
 *  - percentages are whole percents (50 → 50 %);
 *  - durations are whole calendar days;
 *  - weights are non-negative integers (relative: 1:1, 30:70).
 */

export const PRESETS = ['nd138', 'nd115', 'nd170', 'leadership'] as const;
export type Preset = (typeof PRESETS)[number];

export const TIE_STEPS = [
  'ranking_round_raw',
  'round1_general_knowledge',
  'written_part',
  'head_decision',
] as const;
export type TieStep = (typeof TIE_STEPS)[number];

export const STAFF_CATEGORIES = ['civil_servant', 'public_employee', 'any'] as const;
export type StaffCategory = (typeof STAFF_CATEGORIES)[number];

const hundredths = z.int().min(0).max(100_000_000);
const score100 = z.int().min(0).max(10_000);
const percent = z.int().min(0).max(100);
const days = z.int().min(1).max(3650);
const code = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case code');
const isoDate = z.string().refine(isCalendarDate, 'YYYY-MM-DD, a day that exists (years 1000–9999)');

export const gateRulesSchema = z.strictObject({
  /** Ranking round (round 2): minimum raw score, before priority points. null = no overall gate. */
  rankingRoundMinRaw: score100.nullable(),
  /** Ranking round: each part must reach this % of its maximum (Decree 170/2025). null = off. */
  rankingRoundPartMinPercent: percent.nullable(),
  /** Gate round (round 1, computer MCQ): each part must reach this % of questions correct. */
  gateRoundPartMinPercent: percent,
});

export const deadlinesSchema = z.strictObject({
  registrationDays: days,
  dossierDays: days,
  appealWindowDays: days,
  appealResolutionDays: days,
});

export const reconciliationRuleSchema = z
  .strictObject({
    /** Marks whose spread (max − min) is at most this are averaged. Hundredths (5 points → 500). */
    averageMaxSpread: hundredths,
    /** A spread at or above this is escalated (third marker / council). Between: head decides. */
    escalateAtSpread: hundredths,
    rounding: z.enum(['tenth', 'hundredth']),
  })
  .refine((r) => r.escalateAtSpread > r.averageMaxSpread, {
    message: 'escalateAtSpread must be greater than averageMaxSpread',
    path: ['escalateAtSpread'],
  });
export type ReconciliationRule = z.infer<typeof reconciliationRuleSchema>;

export const leadershipRulesSchema = z.strictObject({
  /** Part 1 written exam gate, hundredths of 100 points. */
  writtenGate: score100,
  /** Part 2 action-plan gate; null = no gate on the action plan. */
  actionPlanGate: score100.nullable(),
  /** Combined score = written × weights.written + actionPlan × weights.actionPlan. */
  weights: z
    .strictObject({ written: z.int().min(0).max(100), actionPlan: z.int().min(0).max(100) })
    .refine((w) => w.written + w.actionPlan > 0, 'at least one weight must be positive'),
});

export const roundPartSchema = z.strictObject({
  code,
  /** Number of questions, for computer multiple-choice parts. */
  questions: z.int().min(1).max(1000).nullable(),
  /** Maximum score in hundredths; null for pass/fail parts scored by questions correct. */
  maxScore: hundredths.nullable(),
  weight: z.int().min(0).max(100),
  /** Written parts are anonymised, double-marked and open to appeal. */
  written: z.boolean(),
  /** Scored by a panel (interview, action-plan defence): average of members. */
  panel: z.boolean(),
});

export const roundDefaultSchema = z.strictObject({
  order: z.int().min(1).max(10),
  code,
  /** gate: pass/fail only, no points carried; ranking: its score ranks candidates. */
  purpose: z.enum(['gate', 'ranking', 'gate_and_ranking']),
  format: z.enum([
    'computer_mcq',
    'written',
    'interview',
    'written_and_interview',
    'written_or_interview',
    'practical',
    'written_and_action_plan',
  ]),
  parts: z.array(roundPartSchema).min(1).max(10),
});

export const exemptionSchema = z.strictObject({
  code,
  /** Round orders the holder skips entirely (e.g. [1]). */
  skipsRounds: z.array(z.int().min(1).max(10)).max(10),
  /** Part codes the holder skips (e.g. foreign_language). */
  skipsParts: z.array(code).max(10),
  legalBasis: z.string().max(200),
});

/** The rule-set object without cross-field checks (for building API response schemas). */
export const ruleSetBaseSchema = z.strictObject({
  preset: z.enum(PRESETS),
  /** Free text citation shown in explanations. */
  legalBasis: z.string().min(1).max(300),
  /** First day the preset applies (nd170: 2025-07-01); informational, the drive pins its set. */
  effectiveFrom: isoDate.nullable(),
  staffCategory: z.enum(STAFF_CATEGORIES),
  /** Priority category code → points in hundredths. Only the highest claim counts. */
  priorityTable: z.record(code, hundredths),
  gate: gateRulesSchema,
  /** Applied in order to break ties on the ranking score; head_decision, if present, is last. */
  tieBreak: z.array(z.enum(TIE_STEPS)).min(1).max(TIE_STEPS.length),
  /** 1, or 2 when a second choice (NV2) is allowed (Decree 115/2020 as amended by 85/2023). */
  applicationsPerCandidate: z.int().min(1).max(2),
  /** A quota (leadership title) is held only with at least this many candidates. */
  minCandidatesPerQuota: z.int().min(1).max(100),
  minAgeYears: z.int().min(0).max(100),
  /** ISO 3166-1 alpha-2 codes. */
  nationalities: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .min(1)
    .max(50),
  deadlines: deadlinesSchema,
  reconciliation: reconciliationRuleSchema,
  /** Present for leadership-title exams only. */
  leadership: leadershipRulesSchema.nullable(),
  roundDefaults: z.array(roundDefaultSchema).max(10),
  exemptions: z.array(exemptionSchema).max(20),
  /** A candidate whose result was cancelled for fraud is barred from this many following drives. */
  barredAfterFraudDrives: z.int().min(0).max(10),
});

export const ruleSetSchema = ruleSetBaseSchema.superRefine((rs, ctx) => {
  const seen = new Set<string>();
  rs.tieBreak.forEach((step, i) => {
    if (seen.has(step)) {
      ctx.addIssue({ code: 'custom', message: `duplicate tie-break step ${step}`, path: ['tieBreak', i] });
    }
    seen.add(step);
    if (step === 'head_decision' && i !== rs.tieBreak.length - 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'head_decision must be the last tie-break step',
        path: ['tieBreak', i],
      });
    }
  });
  if (rs.preset === 'leadership' && rs.leadership === null) {
    ctx.addIssue({ code: 'custom', message: 'leadership rules are required', path: ['leadership'] });
  }
  const orders = rs.roundDefaults.map((r) => r.order);
  if (new Set(orders).size !== orders.length) {
    ctx.addIssue({ code: 'custom', message: 'round orders must be unique', path: ['roundDefaults'] });
  }
});

export type RuleSet = z.infer<typeof ruleSetSchema>;
export type GateRules = RuleSet['gate'];
export type LeadershipRules = NonNullable<RuleSet['leadership']>;
export type RoundDefault = RuleSet['roundDefaults'][number];
export type Deadlines = RuleSet['deadlines'];

/**
 * Overrides: a deep partial of the rule set (preset excluded: it is chosen separately).
 * Objects merge key by key, arrays replace wholesale, and in `priorityTable` a null value removes
 * the category.
 */
export const ruleSetOverridesSchema = z.strictObject({
  legalBasis: ruleSetBaseSchema.shape.legalBasis.optional(),
  effectiveFrom: ruleSetBaseSchema.shape.effectiveFrom.optional(),
  staffCategory: ruleSetBaseSchema.shape.staffCategory.optional(),
  priorityTable: z.record(code, hundredths.nullable()).optional(),
  gate: gateRulesSchema.partial().optional(),
  tieBreak: ruleSetBaseSchema.shape.tieBreak.optional(),
  applicationsPerCandidate: ruleSetBaseSchema.shape.applicationsPerCandidate.optional(),
  minCandidatesPerQuota: ruleSetBaseSchema.shape.minCandidatesPerQuota.optional(),
  minAgeYears: ruleSetBaseSchema.shape.minAgeYears.optional(),
  nationalities: ruleSetBaseSchema.shape.nationalities.optional(),
  deadlines: deadlinesSchema.partial().optional(),
  reconciliation: z
    .strictObject({
      averageMaxSpread: hundredths,
      escalateAtSpread: hundredths,
      rounding: z.enum(['tenth', 'hundredth']),
    })
    .partial()
    .optional(),
  leadership: z
    .strictObject({
      writtenGate: score100,
      actionPlanGate: score100.nullable(),
      weights: z
        .strictObject({ written: z.int().min(0).max(100), actionPlan: z.int().min(0).max(100) })
        .partial(),
    })
    .partial()
    .nullable()
    .optional(),
  roundDefaults: ruleSetBaseSchema.shape.roundDefaults.optional(),
  exemptions: ruleSetBaseSchema.shape.exemptions.optional(),
  barredAfterFraudDrives: ruleSetBaseSchema.shape.barredAfterFraudDrives.optional(),
});
export type RuleSetOverrides = z.infer<typeof ruleSetOverridesSchema>;

// Decree 138/2020 Art. 5(1) and Decree 115/2020 Art. 6(1): 7.5 / 5 / 2.5 points.
const PRIORITY_BASE: Record<string, number> = {
  hero: 750, // Anh hùng Lực lượng vũ trang, Anh hùng Lao động
  war_invalid: 750, // thương binh
  war_invalid_equivalent: 750, // người hưởng chính sách như thương binh, thương binh loại B
  ethnic_minority: 500,
  officer: 500, // sĩ quan quân đội/công an, quân nhân chuyên nghiệp phục viên, cơ yếu chuyển ngành…
  martyr_child: 500,
  war_invalid_child: 500, // con thương binh / người hưởng chính sách như thương binh / thương binh loại B
  sick_soldier_child: 500, // con bệnh binh
  agent_orange_child: 500, // con đẻ người hoạt động kháng chiến bị nhiễm chất độc hóa học
  hero_child: 500, // con Anh hùng Lực lượng vũ trang, Anh hùng Lao động
  military_service: 250, // hoàn thành nghĩa vụ quân sự
  police_service: 250, // hoàn thành nghĩa vụ tham gia Công an nhân dân
  youth_volunteer: 250, // đội viên thanh niên xung phong
};

const DEADLINES: Deadlines = {
  registrationDays: 30, // Decree 138/2020 Art. 14; Decree 115/2020 Art. 15
  dossierDays: 30, // Decree 138/2020 Art. 17(1)
  appealWindowDays: 15, // phúc khảo: 15 days from publication of the round's results
  appealResolutionDays: 15,
};

// Circular 6/2020 Art. 31 (spread rule; the written-script thresholds are kept configurable).
const RECONCILIATION: ReconciliationRule = {
  averageMaxSpread: 500,
  escalateAtSpread: 1000,
  rounding: 'tenth',
};

// Decree 138/2020 Art. 8(2) and Decree 115/2020 Art. 9(2): one professional exam on 100 points,
// interview or written as the head decides.
const PROFESSIONAL_ROUND_2: RoundDefault = {
  order: 2,
  code: 'round2',
  purpose: 'ranking',
  format: 'written_or_interview',
  parts: [{ code: 'professional', questions: null, maxScore: 10000, weight: 1, written: false, panel: false }],
};

const COMPUTER_ROUND_1: RoundDefault = {
  order: 1,
  code: 'round1',
  purpose: 'gate',
  format: 'computer_mcq',
  parts: [
    { code: 'general_knowledge', questions: 60, maxScore: null, weight: 0, written: false, panel: false },
    { code: 'foreign_language', questions: 30, maxScore: null, weight: 0, written: false, panel: false },
  ],
};

const EXEMPTIONS: RuleSet['exemptions'] = [
  {
    code: 'input_quality_verified',
    skipsRounds: [1],
    skipsParts: [],
    legalBasis: 'Decree 06/2023/NĐ-CP (kiểm định chất lượng đầu vào)',
  },
  {
    code: 'foreign_language_exempt',
    skipsRounds: [],
    skipsParts: ['foreign_language'],
    legalBasis: 'Decree 138/2020 Art. 8(1); Decree 115/2020 Art. 9',
  },
];

const PRESET_DATA: Record<Preset, RuleSet> = {
  nd138: {
    preset: 'nd138',
    legalBasis: 'Decree 138/2020/NĐ-CP',
    effectiveFrom: '2020-11-27',
    staffCategory: 'civil_servant',
    priorityTable: { ...PRIORITY_BASE },
    gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: null, gateRoundPartMinPercent: 50 },
    tieBreak: ['ranking_round_raw', 'head_decision'],
    applicationsPerCandidate: 1,
    minCandidatesPerQuota: 1,
    minAgeYears: 18,
    nationalities: ['VN'],
    deadlines: { ...DEADLINES },
    reconciliation: { ...RECONCILIATION },
    leadership: null,
    roundDefaults: [
      COMPUTER_ROUND_1,
      PROFESSIONAL_ROUND_2,
    ],
    exemptions: EXEMPTIONS,
    barredAfterFraudDrives: 1,
  },
  nd115: {
    preset: 'nd115',
    legalBasis: 'Decree 115/2020/NĐ-CP as amended by Decree 85/2023/NĐ-CP',
    effectiveFrom: '2023-12-07',
    staffCategory: 'public_employee',
    // Decree 85/2023 adds 1.5 points for grassroots trade-union officers.
    priorityTable: { ...PRIORITY_BASE, trade_union_officer: 150 },
    gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: null, gateRoundPartMinPercent: 50 },
    tieBreak: ['round1_general_knowledge', 'head_decision'],
    applicationsPerCandidate: 2,
    minCandidatesPerQuota: 1,
    minAgeYears: 18,
    nationalities: ['VN'],
    deadlines: { ...DEADLINES },
    reconciliation: { ...RECONCILIATION },
    leadership: null,
    roundDefaults: [
      COMPUTER_ROUND_1,
      PROFESSIONAL_ROUND_2,
    ],
    exemptions: EXEMPTIONS,
    barredAfterFraudDrives: 1,
  },
  nd170: {
    preset: 'nd170',
    legalBasis: 'Decree 170/2025/NĐ-CP',
    effectiveFrom: '2025-07-01',
    staffCategory: 'civil_servant',
    priorityTable: { ...PRIORITY_BASE },
    gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: 50, gateRoundPartMinPercent: 50 },
    tieBreak: ['ranking_round_raw', 'written_part', 'head_decision'],
    applicationsPerCandidate: 1,
    minCandidatesPerQuota: 1,
    minAgeYears: 18,
    nationalities: ['VN'],
    deadlines: { ...DEADLINES },
    reconciliation: { ...RECONCILIATION },
    leadership: null,
    roundDefaults: [
      COMPUTER_ROUND_1,
      {
        order: 2,
        code: 'round2',
        purpose: 'ranking',
        format: 'written_and_interview',
        parts: [
          { code: 'written', questions: null, maxScore: 10000, weight: 1, written: true, panel: false },
          { code: 'interview', questions: null, maxScore: 10000, weight: 1, written: false, panel: true },
        ],
      },
    ],
    exemptions: EXEMPTIONS,
    barredAfterFraudDrives: 1,
  },
  leadership: {
    preset: 'leadership',
    legalBasis: 'Ministry of Home Affairs letter 2424/BNV-CCVC (2017)',
    effectiveFrom: null,
    staffCategory: 'any',
    priorityTable: {},
    gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: null, gateRoundPartMinPercent: 50 },
    tieBreak: ['head_decision'],
    applicationsPerCandidate: 1,
    minCandidatesPerQuota: 2,
    minAgeYears: 18,
    nationalities: ['VN'],
    deadlines: { ...DEADLINES },
    reconciliation: { ...RECONCILIATION },
    leadership: { writtenGate: 5000, actionPlanGate: 5000, weights: { written: 1, actionPlan: 1 } },
    roundDefaults: [
      {
        order: 1,
        code: 'written',
        purpose: 'gate_and_ranking',
        format: 'written',
        parts: [{ code: 'written', questions: null, maxScore: 10000, weight: 1, written: true, panel: false }],
      },
      {
        order: 2,
        code: 'action_plan',
        purpose: 'ranking',
        format: 'interview',
        parts: [
          { code: 'action_plan', questions: null, maxScore: 10000, weight: 1, written: false, panel: true },
        ],
      },
    ],
    exemptions: [],
    barredAfterFraudDrives: 1,
  },
};

function clone<T>(value: T): T {
  return structuredClone(value);
}

export function isPreset(value: unknown): value is Preset {
  return typeof value === 'string' && (PRESETS as readonly string[]).includes(value);
}

/** A fresh copy of a preset (callers may mutate it freely). */
export function presetRuleSet(preset: Preset): RuleSet {
  return clone(PRESET_DATA[preset]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return clone(base);
  if (isPlainObject(base) && isPlainObject(patch)) {
    const out: Record<string, unknown> = clone(base);
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      out[key] = deepMerge(base[key], value);
    }
    return out;
  }
  if (isPlainObject(patch)) return clone(patch); // base was null/absent
  return clone(patch);
}

function issuesOf(error: z.ZodError): { path: string; message: string; code: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
    code: i.code,
  }));
}

/**
 * The drive's effective rule set: preset deep-merged with overrides, then re-validated.
 * Throws `rule_set.unknown_preset` or `rule_set.invalid` (with zod issues in details.issues).
 */
export function resolveRuleSet(preset: string, overrides?: unknown): RuleSet {
  if (!isPreset(preset)) {
    throw new DomainError('rule_set.unknown_preset', `Unknown rule-set preset "${preset}"`, {
      preset,
      allowed: [...PRESETS],
    });
  }
  const parsedOverrides = ruleSetOverridesSchema.safeParse(overrides ?? {});
  if (!parsedOverrides.success) {
    throw new DomainError('rule_set.invalid', 'Invalid rule-set overrides', {
      issues: issuesOf(parsedOverrides.error),
    });
  }
  const merged = deepMerge(PRESET_DATA[preset], parsedOverrides.data) as Record<string, unknown>;
  const table = merged['priorityTable'];
  if (isPlainObject(table)) {
    for (const [k, v] of Object.entries(table)) if (v === null) delete table[k];
  }
  return validateRuleSet(merged);
}

/** Validates a stored rule set (e.g. read back from jsonb). Throws `rule_set.invalid`. */
export function validateRuleSet(value: unknown): RuleSet {
  const parsed = ruleSetSchema.safeParse(value);
  if (!parsed.success) {
    throw new DomainError('rule_set.invalid', 'Invalid rule set', { issues: issuesOf(parsed.error) });
  }
  return parsed.data;
}

/**
 * Default preset for a recruitment drive: public employees follow Decree 115/2020 (as amended);
 * civil-servant drives announced from 1 July 2025 follow Decree 170/2025, earlier ones 138/2020.
 */
export function defaultPresetFor(staffCategory: 'civil_servant' | 'public_employee', announcedOn: string): Preset {
  if (staffCategory === 'public_employee') return 'nd115';
  return announcedOn >= '2025-07-01' ? 'nd170' : 'nd138';
}
