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

/**
 * nd170: Decree 170/2025 as issued; nd170-300: Decree 170/2025 as amended by Decree 300/2026.
 * Which one a drive may pin, and when, is src/domain/preset-law.ts.
 */
export const PRESETS = ['nd138', 'nd115', 'nd170', 'nd170-300', 'leadership'] as const;
export type Preset = (typeof PRESETS)[number];

export const TIE_STEPS = [
  'ranking_round_raw',
  'round1_general_knowledge',
  'written_part',
  'head_decision',
] as const;
export type TieStep = (typeof TIE_STEPS)[number];

export const STAFF_CATEGORIES = ['civil_servant', 'public_employee', 'any'] as const;

/** How a quota recruits: exam (thi tuyển) or selection by review (xét tuyển) — Decree 170/2025 Art. 3(2)(e). */
export const QUOTA_METHODS = ['exam', 'review'] as const;
export type QuotaMethod = (typeof QUOTA_METHODS)[number];
/**
 * The groups of Decree 170/2025 Art. 5, each reviewed apart: (1) a 5-year commitment to work in very
 * disadvantaged areas; (2) cử tuyển graduates returning to the sending locality; (3) excellent
 * graduates and young scientists under the talent policy.
 */
export const REVIEW_GROUPS = ['disadvantaged_area_commitment', 'cu_tuyen_graduate', 'talent'] as const;
export type ReviewGroup = (typeof REVIEW_GROUPS)[number];
/** Round-2 forms of a review: 170 Art. 11(2)(a) oral only; 115 Art. 11(2) → Art. 9(2)(a) oral, practical or written. */
export const REVIEW_ROUND2_FORMS = ['oral', 'practical', 'written'] as const;

/**
 * Civil-service grades (ngạch) that decide the exam structure (Decree 170/2025 Art. 9(1)–(4)):
 * nhân viên; chuyên viên, cán sự and equivalents; chuyên viên chính and equivalents; chuyên viên
 * cao cấp and equivalents, chuyên gia cao cấp.
 */
export const JOB_GRADES = ['nhan_vien', 'chuyen_vien', 'chuyen_vien_chinh', 'cao_cap'] as const;
export type JobGrade = (typeof JOB_GRADES)[number];
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

/**
 * Which marking rules a drive's marks follow (see src/domain/marking-tt22.ts): `tt22_2025` is
 * Circular 22/2025/TT-BNV (Quy chế Art. 16, 22; in force from 2025-12-10), `tt06_2020` the older
 * spread rule of Circular 6/2020 Art. 31 driven by `reconciliation`. Absent: the preset's default.
 */
export const MARKING_REGIMES = ['tt22_2025', 'tt06_2020'] as const;
export type MarkingRegime = (typeof MARKING_REGIMES)[number];
export const markingRulesSchema = z.strictObject({
  /** Paper written scripts (double marking, third marker). */
  written: z.enum(MARKING_REGIMES),
  /** Panel parts: oral, interview, practical, Đề án. */
  panel: z.enum(MARKING_REGIMES),
});

export type MarkingRules = z.infer<typeof markingRulesSchema>;

/**
 * The marking rules a preset takes when its rule set names none: civil-servant drives under Decree
 * 170/2025 follow Circular 22/2025 (its Quy chế governs their exams); public-employee drives keep
 * the Circular 6/2020 spread rule (their circular, 001/2025, is not in our hands); leadership-title
 * exams keep it for written scripts and take Circular 22's panel rule (Quy chế Art. 22) by analogy.
 */
export function defaultMarkingRules(preset: Preset): MarkingRules {
  if (preset === 'nd170' || preset === 'nd170-300') return { written: 'tt22_2025', panel: 'tt22_2025' };
  if (preset === 'leadership') return { written: 'tt06_2020', panel: 'tt22_2025' };
  return { written: 'tt06_2020', panel: 'tt06_2020' };
}

export const leadershipRulesSchema = z.strictObject({
  /** Part 1 written exam gate, hundredths of 100 points. */
  writtenGate: score100,
  /** Part 2 action-plan gate; null = no gate on the action plan. */
  actionPlanGate: score100.nullable(),
  /** Combined score = written × weights.written + actionPlan × weights.actionPlan. */
  weights: z
    .strictObject({ written: z.int().min(0).max(100), actionPlan: z.int().min(0).max(100) })
    .refine((w) => w.written + w.actionPlan > 0, 'at least one weight must be positive'),
  /**
   * Where the panel part's (the Đề án defence's) score comes from. `members`: Circular 22/2025 Quy
   * chế Art. 22(1) by analogy — each member marks on their own signed sheet (entered by the member or
   * transcribed by the panel's secretary) and the score is their mean; a direct import of the panel's
   * result is refused (409 scores.marked_part), as on recruitment drives. `import` (legacy): the
   * council's averaged result is imported (PUT /rounds/{id}/scores). The leadership preset says
   * `members`: DOMAIN.md ("Leadership-title exams") has each member score the Đề án and the score be
   * the members' mean "by analogy with TT22 Art. 22", and the guidance (2424/BNV-CCVC) names no other
   * way. Absent (rule sets frozen before this field existed): `import`, as those drives always ran.
   */
  panelScores: z.enum(['members', 'import']).optional(),
});

/** Where a leadership drive's panel scores come from (see leadershipRulesSchema.panelScores); absent: the legacy import. */
export function leadershipPanelScores(ruleSet: Pick<RuleSet, 'leadership'>): 'members' | 'import' {
  return ruleSet.leadership?.panelScores ?? 'import';
}

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
    /** Decree 170/2025 Art. 9(1): nhân viên, oral (vấn đáp) or practical (thực hành). */
    'oral_or_practical',
    /** Decree 170/2025 Art. 9(4): Đề án (chuyên viên cao cấp, chuyên gia cao cấp). */
    'project',
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

/**
 * Selection by review (xét tuyển): round 1 is the form check (eligibility), round 2 the
 * professional review; the rules the law lets differ between decrees are data here.
 */
export const reviewRulesSchema = z.strictObject({
  legalBasis: z.string().min(1).max(300),
  /** The groups a review quota must name (170 Art. 5); empty: reviews have no groups (115). */
  groups: z.array(z.enum(REVIEW_GROUPS)).max(REVIEW_GROUPS.length),
  /** Allowed round-2 forms (170 Art. 11(2)(a): oral; 115 Art. 9(2)(a): oral, practical or written). */
  round2Forms: z.array(z.enum(REVIEW_ROUND2_FORMS)).min(1).max(REVIEW_ROUND2_FORMS.length),
  /** Round-2 maximum, hundredths (100 points: 170 Art. 11(2)(d), 115 Art. 9(2)(d)). */
  round2MaxScore: hundredths,
  /** Oral duration and the most preparation before it, minutes (170 Art. 11(2)(c): 30, ≤ 15). */
  oralMinutes: z.int().min(1).max(600),
  oralPreparationMaxMinutes: z.int().min(0).max(600),
  /** Winners need at least this round-2 score before priority, hundredths (170 Art. 12(1)(a), 115 Art. 10(1)(a)). */
  round2MinRaw: score100,
  /** The oral is held within this many days of the summons (170 Art. 16(6): 15); null: no limit. */
  oralWithinDaysOfSummons: days.nullable(),
  /** never: no appeal of a review (170 Art. 16(6)); written_parts: a written round 2 is appealable as in the exam (115). */
  appeals: z.enum(['never', 'written_parts']),
  /** Tie-break after round 2 + priority (170 Art. 12(2): higher round 2, then the head; 115 Art. 12 → 10(2)). */
  tieBreak: z.array(z.enum(TIE_STEPS)).min(1).max(TIE_STEPS.length),
});
export type ReviewRules = z.infer<typeof reviewRulesSchema>;

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
  /** Marking rules; absent: the preset's default (markingRules in marking-tt22.ts). */
  marking: markingRulesSchema.optional(),
  roundDefaults: z.array(roundDefaultSchema).max(10),
  exemptions: z.array(exemptionSchema).max(20),
  /** A candidate whose result was cancelled for fraud is barred from this many following drives. */
  barredAfterFraudDrives: z.int().min(0).max(10),
  /**
   * The exam structure for each grade (Decree 170/2025 Art. 9), for drives whose quotas sit
   * different structures. Absent from presets older than 170 and from rule sets frozen before it
   * was added; `roundDefaults` stays the drive-wide default (the chuyên viên structure).
   */
  structures: z.partialRecord(z.enum(JOB_GRADES), z.array(roundDefaultSchema).min(1).max(10)).optional(),
  /** Selection by review (xét tuyển); absent: the preset (or a rule set frozen before it was added) holds no review quotas. */
  review: reviewRulesSchema.optional(),
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
      panelScores: z.enum(['members', 'import']),
    })
    .partial()
    .nullable()
    .optional(),
  marking: markingRulesSchema.partial().optional(),
  roundDefaults: ruleSetBaseSchema.shape.roundDefaults.optional(),
  exemptions: ruleSetBaseSchema.shape.exemptions.optional(),
  barredAfterFraudDrives: ruleSetBaseSchema.shape.barredAfterFraudDrives.optional(),
  review: reviewRulesSchema.partial().optional(),
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

// Decree 170/2025 Art. 6(1) as issued. Cipher staff and reserve-officer graduates are named apart
// in Art. 6(1)(b), so they get their own codes (same 5 points) instead of hiding under `officer`;
// Art. 6(1)(d) adds 1.5 points for trade-union officers grown from the grassroots.
const PRIORITY_170: Record<string, number> = {
  hero: 750, // (a) Anh hùng Lực lượng vũ trang, Anh hùng Lao động
  war_invalid: 750, // (a) thương binh
  war_invalid_equivalent: 750, // (a) người hưởng chính sách như thương binh, thương binh loại B
  ethnic_minority: 500, // (b) người dân tộc thiểu số
  officer: 500, // (b) sĩ quan quân đội, sĩ quan công an, quân nhân chuyên nghiệp phục viên
  cipher_staff: 500, // (b) người làm công tác cơ yếu chuyển ngành
  reserve_officer_graduate: 500, // (b) học viên tốt nghiệp đào tạo sĩ quan dự bị / chỉ huy trưởng BCHQS cấp xã, đã đăng ký ngạch sĩ quan dự bị
  martyr_child: 500, // (b) con liệt sĩ
  war_invalid_child: 500, // (b) con thương binh / người hưởng chính sách như thương binh / thương binh loại B
  sick_soldier_child: 500, // (b) con bệnh binh
  agent_orange_child: 500, // (b) con đẻ của người hoạt động kháng chiến bị nhiễm chất độc hóa học
  hero_child: 500, // (b) con Anh hùng Lực lượng vũ trang, con Anh hùng Lao động
  military_service: 250, // (c) hoàn thành nghĩa vụ quân sự
  police_service: 250, // (c) hoàn thành nghĩa vụ tham gia công an nhân dân
  youth_volunteer: 250, // (c) đội viên thanh niên xung phong
  trade_union_officer: 150, // (d) cán bộ công đoàn trưởng thành từ cơ sở, trong phong trào công nhân
};

// Decree 300/2026 Art. 1 rewrites Art. 6(1)(c) for plans approved from 2026-08-01: the 2.5 group
// also takes defence workers and defence public employees who left service still of working age,
// and young volunteer intellectuals in defence economic zones who finished their project.
const PRIORITY_170_300: Record<string, number> = {
  ...PRIORITY_170,
  defence_worker_discharged: 250, // công nhân, viên chức quốc phòng thôi việc còn trong độ tuổi lao động
  defence_zone_young_intellectual: 250, // trí thức trẻ tình nguyện đến công tác tại các khu kinh tế quốc phòng
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

// Decree 170/2025 Art. 9(2)(a): round 1 is one computer test of 60 questions on general knowledge,
// passed with ≥ 50 % correct. No foreign-language part (a foreign language is a per-position
// condition under Art. 9(5), not a part of round 1) and no exemption (Decree 06/2023, the basis of
// the input-quality exemption, is repealed by Art. 71(2)(d)).
const ROUND_1_170: RoundDefault = {
  order: 1,
  code: 'round1',
  purpose: 'gate',
  format: 'computer_mcq',
  parts: [{ code: 'general_knowledge', questions: 60, maxScore: null, weight: 0, written: false, panel: false }],
};

// Decree 170/2025 Art. 9(2)(b): written, or written + interview, each on 100; combined, the written
// counts 70 % and the interview 30 %, rounded to 2 decimals (weightedTotalOn100 rounds half up).
const ROUND_2_170: RoundDefault = {
  order: 2,
  code: 'round2',
  purpose: 'ranking',
  format: 'written_and_interview',
  parts: [
    { code: 'written', questions: null, maxScore: 10000, weight: 70, written: true, panel: false },
    { code: 'interview', questions: null, maxScore: 10000, weight: 30, written: false, panel: true },
  ],
};

// Decree 170/2025 Art. 9(1)–(4) (Art. 9(4)(d) as amended by 300 Art. 2: preparation + defence of the
// Đề án ≤ 90 minutes): the structure each grade sits. Rounds are numbered within a structure.
const STRUCTURES_170: NonNullable<RuleSet['structures']> = {
  nhan_vien: [
    {
      order: 1,
      code: 'professional',
      purpose: 'ranking',
      format: 'oral_or_practical',
      parts: [{ code: 'professional', questions: null, maxScore: 10000, weight: 1, written: false, panel: true }],
    },
  ],
  chuyen_vien: [ROUND_1_170, ROUND_2_170],
  chuyen_vien_chinh: [{ ...ROUND_2_170, order: 1 }],
  cao_cap: [
    {
      order: 1,
      code: 'project',
      purpose: 'ranking',
      format: 'project',
      parts: [{ code: 'project', questions: null, maxScore: 10000, weight: 1, written: false, panel: true }],
    },
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

// Decree 115/2020 Art. 9(1)(a) as amended by 85/2023: a verified input-quality result exempts from
// Part I (general knowledge) only; Part II (foreign language) is still sat where the position needs
// it. Art. 9(3): foreign-language exemptions. The input-quality verification itself rested on
// Decree 06/2023, repealed from 2025-07-01 by Decree 170/2025 Art. 71(2)(d): a drive may drop the
// exemption through its overrides (`exemptions` replaces the list).
const EXEMPTIONS_115: RuleSet['exemptions'] = [
  {
    code: 'input_quality_verified',
    skipsRounds: [],
    skipsParts: ['general_knowledge'],
    legalBasis: 'Decree 115/2020 Art. 9(1)(a) as amended by 85/2023 (Part I only); its basis Decree 06/2023 repealed by Decree 170/2025 Art. 71(2)(d)',
  },
  {
    code: 'foreign_language_exempt',
    skipsRounds: [],
    skipsParts: ['foreign_language'],
    legalBasis: 'Decree 115/2020 Art. 9(3) as amended by 85/2023',
  },
];

// Decree 170/2025 Art. 5, 11, 12, 16(6).
const REVIEW_170: ReviewRules = {
  legalBasis: 'Decree 170/2025 Art. 5, 11, 12, 16(6)',
  groups: [...REVIEW_GROUPS],
  round2Forms: ['oral'],
  round2MaxScore: 10000,
  oralMinutes: 30,
  oralPreparationMaxMinutes: 15,
  round2MinRaw: 5000,
  oralWithinDaysOfSummons: 15,
  appeals: 'never',
  tieBreak: ['ranking_round_raw', 'head_decision'],
};

// Decree 115/2020 Art. 11–12 as amended by 85/2023 (round 2 per Art. 9(2); winners and ties per Art. 10).
const REVIEW_115: ReviewRules = {
  legalBasis: 'Decree 115/2020 Art. 11–12 as amended by Decree 85/2023 (Art. 9(2), 10)',
  groups: [],
  round2Forms: ['oral', 'practical', 'written'],
  round2MaxScore: 10000,
  oralMinutes: 30,
  oralPreparationMaxMinutes: 15,
  round2MinRaw: 5000,
  oralWithinDaysOfSummons: null,
  appeals: 'written_parts',
  // Art. 10(2): the higher round-1 general knowledge (a review has none), then the head.
  tieBreak: ['round1_general_knowledge', 'head_decision'],
};

const PRESET_170_BASE: Omit<RuleSet, 'preset' | 'legalBasis' | 'effectiveFrom' | 'priorityTable'> = {
  staffCategory: 'civil_servant',
  // Art. 10(1)(a): ≥ 50 points, and with written + interview ≥ 50 % of each part's maximum.
  gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: 50, gateRoundPartMinPercent: 50 },
  // Art. 10(2): higher professional score, then the higher written score, then the head decides.
  tieBreak: ['ranking_round_raw', 'written_part', 'head_decision'],
  applicationsPerCandidate: 1,
  minCandidatesPerQuota: 1,
  minAgeYears: 18,
  nationalities: ['VN'],
  deadlines: { ...DEADLINES },
  reconciliation: { ...RECONCILIATION },
  leadership: null,
  roundDefaults: [ROUND_1_170, ROUND_2_170],
  exemptions: [],
  barredAfterFraudDrives: 1,
  structures: STRUCTURES_170,
  review: REVIEW_170,
};

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
    exemptions: EXEMPTIONS_115,
    barredAfterFraudDrives: 1,
    review: REVIEW_115,
  },
  nd170: {
    ...PRESET_170_BASE,
    preset: 'nd170',
    legalBasis: 'Decree 170/2025/NĐ-CP as issued (Art. 6, 9, 10)',
    effectiveFrom: '2025-07-01',
    priorityTable: { ...PRIORITY_170 },
  },
  'nd170-300': {
    ...PRESET_170_BASE,
    preset: 'nd170-300',
    legalBasis: 'Decree 170/2025/NĐ-CP as amended by Decree 300/2026/NĐ-CP (170 Art. 6, 9, 10; 300 Art. 1, 2)',
    effectiveFrom: '2026-08-01',
    priorityTable: { ...PRIORITY_170_300 },
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
    leadership: { writtenGate: 5000, actionPlanGate: 5000, weights: { written: 1, actionPlan: 1 }, panelScores: 'members' },
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

/**
 * Whether a later round is sat only by those who passed the drive's gate rounds before it. Decree
 * 170/2025 Art. 9(2)(a): "trả lời đúng từ 50% số câu hỏi trở lên thì được tham dự vòng 2"; Art.
 * 16(3)(c): the council publishes the list of those who sit round 2. Drives under the older presets
 * keep issuing later-round scripts to every active application, as they always have.
 */
export function gatesAdmitOnlyPassers(ruleSet: Pick<RuleSet, 'preset'>): boolean {
  return ruleSet.preset === 'nd170' || ruleSet.preset === 'nd170-300';
}

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
  // A partial marking override completes the preset's default marking rules.
  if (parsedOverrides.data.review && !PRESET_DATA[preset].review) {
    throw new DomainError('rule_set.invalid', `Preset ${preset} holds no selection by review to override`, { issues: [{ path: 'review', message: 'no review rules in the preset', code: 'custom' }] });
  }
  if (parsedOverrides.data.marking) merged['marking'] = { ...defaultMarkingRules(preset), ...parsedOverrides.data.marking };
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
