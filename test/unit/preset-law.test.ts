import { describe, expect, it } from 'vitest';
import { weightedTotalOn100 } from '../../src/domain/decimal.js';
import { DomainError } from '../../src/domain/errors.js';
import { evaluateGate } from '../../src/domain/ranking.js';
import { checkPresetChoice, defaultPresetFor, presetCatalog, type PresetUse } from '../../src/domain/preset-law.js';
import { priorityPoints } from '../../src/domain/priority.js';
import { PRESETS, resolveRuleSet, type JobGrade, type Preset } from '../../src/domain/rule-sets.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not-a-domain-error';
  }
  return undefined;
}

describe('which preset a plan date gets (Decree 170/2025 Art. 71; Decree 300/2026 Art. 35–36)', () => {
  it.each([
    ['civil_servant', '2025-06-30', 'nd138', 'before 170 took effect: 138/2020 (historical only)'],
    ['civil_servant', '2025-07-01', 'nd170', '170 Art. 71(1): in force from 2025-07-01'],
    ['civil_servant', '2026-07-31', 'nd170', '300 Art. 35(1): plans approved before 300 took effect stay under 170 as issued'],
    ['civil_servant', '2026-08-01', 'nd170-300', '300 Art. 36: in force from 2026-08-01'],
    ['civil_servant', '2027-03-01', 'nd170-300', '300 Art. 36'],
    ['public_employee', '2025-07-01', 'nd115', '115/2020 as amended by 85/2023'],
    ['public_employee', '2026-07-01', 'nd115', 'no newer public-employee text in our hands: 115, to be pinned provisionally'],
  ] as const)('when a %s plan is approved on %s, then the default preset is %s (%s)', (cat, on, preset, _why) => {
    expect(defaultPresetFor(cat, on)).toBe(preset);
  });

  it.each<[Preset, string, PresetUse, string | null, string]>([
    ['nd170', '2025-07-01', 'current', null, '170 Art. 71(1)'],
    ['nd170', '2026-07-31', 'current', null, '300 Art. 35(1)'],
    ['nd170', '2026-08-01', 'current', 'rule_set.not_in_force', '300 Art. 36: a plan from 2026-08-01 follows 170 as amended'],
    ['nd170', '2025-06-30', 'current', 'rule_set.not_in_force', '170 Art. 71(1): not yet in force'],
    ['nd170-300', '2026-07-31', 'current', 'rule_set.not_in_force', '300 Art. 36: not yet in force'],
    ['nd170-300', '2026-08-01', 'current', null, '300 Art. 36'],
    ['nd138', '2024-05-01', 'current', 'rule_set.not_in_force', '170 Art. 71(2)(c): 138/2020 repealed'],
    ['nd138', '2024-05-01', 'historical', null, '138/2020 governed 2024 plans: recomputation allowed'],
    ['nd138', '2025-08-01', 'historical', 'rule_set.not_in_force', '138/2020 never governed a plan of that date'],
    ['nd170', '2025-09-01', 'historical', null, 'a past 170 drive may be recomputed too'],
    ['nd115', '2026-06-30', 'current', null, '115/85 for plans before the new Law on Public Employees'],
    ['nd115', '2026-07-01', 'current', 'rule_set.not_in_force', 'from 2026-07-01 only as provisional'],
    ['nd115', '2026-07-01', 'provisional', null, 'pinned provisionally, with a warning'],
    ['nd115', '2026-03-01', 'provisional', 'rule_set.provisional_not_applicable', 'inside its own period there is nothing provisional'],
    ['nd170', '2026-09-01', 'provisional', 'rule_set.provisional_not_applicable', '170 is never provisional'],
    ['nd115', '2023-12-06', 'current', 'rule_set.not_in_force', '85/2023 took effect 2023-12-07'],
    ['leadership', '2019-01-01', 'current', null, 'leadership guidance has no period'],
  ])('when %s is pinned for a plan of %s as %s, then %s (%s)', (preset, on, use, code, _why) => {
    expect(codeOf(() => checkPresetChoice(preset, on, use))).toBe(code ?? undefined);
  });

  it('when a pin is refused, then the details carry the period and the texts with their dates', () => {
    try {
      checkPresetChoice('nd170', '2026-09-01', 'current');
      expect.unreachable();
    } catch (err) {
      expect((err as DomainError).details).toMatchObject({
        preset: 'nd170',
        planApprovedOn: '2026-09-01',
        period: { planApprovedFrom: '2025-07-01', planApprovedTo: '2026-07-31' },
        citation: [{ number: '170/2025/NĐ-CP', inForceFrom: '2025-07-01' }],
      });
    }
  });

  it('when nd115 is pinned provisionally or nd138 historically, then the pin carries a warning', () => {
    expect(checkPresetChoice('nd115', '2026-09-01', 'provisional').map((w) => w.code)).toEqual(['rule_set.provisional']);
    expect(checkPresetChoice('nd138', '2023-03-06', 'historical').map((w) => w.code)).toEqual(['rule_set.historical']);
  });

  it('when the catalog is listed, then every preset has a citation, a period and its rule set', () => {
    const catalog = presetCatalog();
    expect(catalog.map((p) => p.preset)).toEqual([...PRESETS]);
    for (const p of catalog) {
      expect(p.citation.length).toBeGreaterThan(0);
      expect(p.ruleSet.preset).toBe(p.preset);
    }
    expect(catalog.find((p) => p.preset === 'nd170-300')!.citation.map((c) => c.number)).toEqual(['170/2025/NĐ-CP', '300/2026/NĐ-CP']);
  });
});

describe('Decree 170/2025 Art. 9: exam structure of the 170 presets', () => {
  it.each(['nd170', 'nd170-300'] as const)('Art. 9(2)(a): %s round 1 is one computer test of 60 questions, passed at 50 %%, no foreign-language part', (preset) => {
    const rs = resolveRuleSet(preset);
    const r1 = rs.roundDefaults.find((r) => r.order === 1)!;
    expect(r1).toMatchObject({ purpose: 'gate', format: 'computer_mcq' });
    expect(r1.parts.map((p) => [p.code, p.questions])).toEqual([['general_knowledge', 60]]);
    expect(rs.gate.gateRoundPartMinPercent).toBe(50);
  });

  it.each(['nd170', 'nd170-300'] as const)('Art. 9(2)(b): %s round 2 combines written 70 %% and interview 30 %%', (preset) => {
    const r2 = resolveRuleSet(preset).roundDefaults.find((r) => r.order === 2)!;
    expect(r2.parts.map((p) => [p.code, p.weight, p.maxScore])).toEqual([
      ['written', 70, 10000],
      ['interview', 30, 10000],
    ]);
  });

  it.each(['nd170', 'nd170-300'] as const)('Art. 71(2)(d): %s has no exemption (Decree 06/2023 is repealed; 170 states none)', (preset) => {
    expect(resolveRuleSet(preset).exemptions).toEqual([]);
  });

  it.each<[JobGrade, string[][], string]>([
    ['nhan_vien', [['professional', 'oral_or_practical']], 'Art. 9(1): one oral or practical exam'],
    ['chuyen_vien', [['round1', 'computer_mcq'], ['round2', 'written_and_interview']], 'Art. 9(2): two rounds'],
    ['chuyen_vien_chinh', [['round2', 'written_and_interview']], 'Art. 9(3): round 2 only'],
    ['cao_cap', [['project', 'project']], 'Art. 9(4): a Đề án on 100 points'],
  ])('when the grade is %s, then the structure is %j (%s)', (grade, rounds, _why) => {
    const s = resolveRuleSet('nd170-300').structures?.[grade];
    expect(s?.map((r) => [r.code, r.format])).toEqual(rounds);
  });
});

describe('Decree 170/2025 Art. 6 as amended by Decree 300/2026 Art. 1: priority points', () => {
  it.each<[string, number | undefined, number | undefined, string]>([
    ['hero', 750, 750, 'Art. 6(1)(a)'],
    ['war_invalid_equivalent', 750, 750, 'Art. 6(1)(a): người hưởng chính sách như thương binh, thương binh loại B'],
    ['ethnic_minority', 500, 500, 'Art. 6(1)(b)'],
    ['officer', 500, 500, 'Art. 6(1)(b): army/police officers, demobilised professional soldiers'],
    ['cipher_staff', 500, 500, 'Art. 6(1)(b): người làm công tác cơ yếu chuyển ngành, its own code'],
    ['reserve_officer_graduate', 500, 500, 'Art. 6(1)(b): reserve-officer graduates, their own code'],
    ['agent_orange_child', 500, 500, 'Art. 6(1)(b)'],
    ['military_service', 250, 250, 'Art. 6(1)(c)'],
    ['youth_volunteer', 250, 250, 'Art. 6(1)(c)'],
    ['defence_worker_discharged', undefined, 250, '300 Art. 1: only for plans from 2026-08-01'],
    ['defence_zone_young_intellectual', undefined, 250, '300 Art. 1: only for plans from 2026-08-01'],
    ['trade_union_officer', 150, 150, 'Art. 6(1)(d): 1.5 points'],
  ])('when the category is %s, then nd170 grants %s and nd170-300 %s hundredths (%s)', (code, as170, as300, _why) => {
    expect(resolveRuleSet('nd170').priorityTable[code]).toBe(as170);
    expect(resolveRuleSet('nd170-300').priorityTable[code]).toBe(as300);
  });

  it('Art. 6(2): when a candidate claims several categories, then only the highest counts', () => {
    const table = resolveRuleSet('nd170-300').priorityTable;
    expect(priorityPoints([{ category: 'trade_union_officer' }, { category: 'defence_worker_discharged' }], table)).toEqual({ points: 250, category: 'defence_worker_discharged' });
    expect(priorityPoints([{ category: 'trade_union_officer' }], table)).toEqual({ points: 150, category: 'trade_union_officer' });
  });
});

describe('Decree 115/2020 as amended by 85/2023: exemptions of the nd115 preset', () => {
  it('Art. 9(1)(a): when the input quality is verified, then Part I is skipped, not round 1 (Part II is still sat)', () => {
    const e = resolveRuleSet('nd115').exemptions.find((x) => x.code === 'input_quality_verified')!;
    expect(e.skipsRounds).toEqual([]);
    expect(e.skipsParts).toEqual(['general_knowledge']);
    expect(e.legalBasis).toContain('06/2023 repealed');
  });

  it('Art. 9(1)(a): when a drive drops the exemption (its basis is repealed), then the overrides remove it', () => {
    const rs = resolveRuleSet('nd115', { exemptions: resolveRuleSet('nd115').exemptions.filter((x) => x.code !== 'input_quality_verified') });
    expect(rs.exemptions.map((x) => x.code)).toEqual(['foreign_language_exempt']);
  });
});

describe('Decree 170/2025 Art. 9(2)(b) and 10(1)(a): the combined round-2 score and its gate', () => {
  const w70i30 = (w: number, i: number) =>
    weightedTotalOn100([
      { score: w, max: 10000, weight: 70 },
      { score: i, max: 10000, weight: 30 },
    ]);
  it.each([
    [7135, 8000, 7395, 'Art. 9(2)(b): 49.945 + 24 = 73.945 → 73.95 (half up, 2 decimals)'],
    [7110, 8060, 7395, 'Art. 9(2)(b): 49.77 + 24.18 = 73.95 exactly'],
    [5715, 3330, 5000, 'Art. 9(2)(b): 40.005 + 9.99 = 49.995 → 50.00'],
    [5714, 3330, 4999, 'Art. 9(2)(b): 39.998 + 9.99 = 49.988 → 49.99'],
    [5000, 5000, 5000, 'Art. 9(2)(b): both at half'],
  ])('when written is %i and interview %i hundredths, then the combined score is %i (%s)', (w, i, total, _why) => {
    expect(w70i30(w, i)).toBe(total);
  });

  const nd170 = resolveRuleSet('nd170');
  const app = (w: number, i: number) => ({
    applicationId: 'a',
    quotaId: 'q',
    choice: 1 as const,
    priorityPoints: 0,
    priorityCategory: null,
    rankingRound: {
      total: w70i30(w, i),
      parts: [
        { code: 'written', score: w, max: 10000, written: true, weight: 70 },
        { code: 'interview', score: i, max: 10000, written: false, weight: 30 },
      ],
    },
  });
  it.each([
    [5000, 5000, true, 'Art. 10(1)(a): ≥ 50 and each part ≥ 50 %'],
    [5000, 4500, false, 'Art. 10(1)(a): interview below 50 % of its maximum'],
    [9000, 4999, false, 'Art. 10(1)(a): a high written does not make up for the interview'],
  ])('when written is %i and interview %i hundredths, then passed is %s (%s)', (w, i, passed, _why) => {
    expect(evaluateGate(app(w, i), nd170).passed).toBe(passed);
  });
  it('Art. 10(1)(a): when the part gate is off, then the rounded combined score is what meets 50', () => {
    const noPartGate = { gate: { ...nd170.gate, rankingRoundPartMinPercent: null } };
    expect(evaluateGate(app(5715, 3330), noPartGate).passed).toBe(true);
    expect(evaluateGate(app(5714, 3330), noPartGate).passed).toBe(false);
  });
});
