import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  PRESETS,
  leadershipPanelScores,
  presetRuleSet,
  resolveRuleSet,
  ruleSetSchema,
  validateRuleSet,
} from '../../src/domain/rule-sets.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not-a-domain-error';
  }
  return undefined;
}

describe('presets', () => {
  it.each(PRESETS)('when preset %s is resolved without overrides, then it validates and survives a JSON round trip', (preset) => {
    const rs = resolveRuleSet(preset);
    expect(ruleSetSchema.parse(JSON.parse(JSON.stringify(rs)))).toEqual(rs);
  });

  it.each([
    ['nd138', ['ranking_round_raw', 'head_decision'], 'Decree 138/2020 Art. 9(2)'],
    ['nd115', ['round1_general_knowledge', 'head_decision'], 'Decree 115/2020 Art. 10 as amended by 85/2023'],
    ['nd170', ['ranking_round_raw', 'written_part', 'head_decision'], 'Decree 170/2025 Art. 10(2)'],
    ['nd170-300', ['ranking_round_raw', 'written_part', 'head_decision'], 'Decree 170/2025 Art. 10(2), not amended by 300'],
    ['leadership', ['head_decision'], '2424/BNV-CCVC: ties go to the chair'],
  ] as const)('when preset %s is used, then the tie-break chain is %j (%s)', (preset, chain, _why) => {
    expect(resolveRuleSet(preset).tieBreak).toEqual(chain);
  });

  it.each([
    ['hero', 750],
    ['war_invalid', 750],
    ['ethnic_minority', 500],
    ['officer', 500],
    ['martyr_child', 500],
    ['war_invalid_child', 500],
    ['military_service', 250],
    ['police_service', 250],
    ['youth_volunteer', 250],
  ])('Decree 138/2020 Art. 5(1): when the category is %s, then nd138 grants %i hundredths', (code, points) => {
    expect(resolveRuleSet('nd138').priorityTable[code]).toBe(points);
  });

  it('Decree 85/2023: when the drive is nd115, then grassroots trade-union officers get 1.5, and not under nd138', () => {
    expect(resolveRuleSet('nd115').priorityTable['trade_union_officer']).toBe(150);
    expect(resolveRuleSet('nd138').priorityTable['trade_union_officer']).toBeUndefined();
  });

  it('Decree 115/2020 as amended by 85/2023: when the drive is nd115, then a second choice (NV2) is allowed', () => {
    expect(resolveRuleSet('nd115').applicationsPerCandidate).toBe(2);
    expect(resolveRuleSet('nd138').applicationsPerCandidate).toBe(1);
  });

  it('Decree 170/2025: when the drive is nd170, then each ranking-round part must reach 50 % of its maximum', () => {
    expect(resolveRuleSet('nd170').gate).toEqual({ rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: 50, gateRoundPartMinPercent: 50 });
  });

  it('2424/BNV-CCVC: when the drive is a leadership exam, then a title needs 2 candidates and the written gate is 50', () => {
    const rs = resolveRuleSet('leadership');
    expect(rs.minCandidatesPerQuota).toBe(2);
    expect(rs.leadership?.writtenGate).toBe(5000);
  });

  it('Decree 138/2020 Art. 8: when nd138 is used, then round 1 has 60 general-knowledge and 30 foreign-language questions', () => {
    const round1 = resolveRuleSet('nd138').roundDefaults.find((r) => r.order === 1);
    expect(round1?.parts.map((p) => [p.code, p.questions])).toEqual([
      ['general_knowledge', 60],
      ['foreign_language', 30],
    ]);
  });

  it('when a preset copy is mutated, then the next copy is unaffected', () => {
    const a = presetRuleSet('nd138');
    a.priorityTable['hero'] = 1;
    a.tieBreak.pop();
    expect(presetRuleSet('nd138').priorityTable['hero']).toBe(750);
    expect(presetRuleSet('nd138').tieBreak).toHaveLength(2);
  });
});

describe('resolveRuleSet overrides (deep merge, re-validated)', () => {
  it('when Đà Nẵng requires 3 candidates per title, then only that field changes', () => {
    const rs = resolveRuleSet('leadership', { minCandidatesPerQuota: 3 });
    expect(rs.minCandidatesPerQuota).toBe(3);
    expect(rs.leadership).toEqual(resolveRuleSet('leadership').leadership);
  });

  it('when nested objects are partially overridden, then sibling keys are kept', () => {
    const rs = resolveRuleSet('leadership', { leadership: { weights: { actionPlan: 2 } }, deadlines: { dossierDays: 45 } });
    expect(rs.leadership).toEqual({ writtenGate: 5000, actionPlanGate: 5000, weights: { written: 1, actionPlan: 2 }, panelScores: 'members' });
    expect(rs.deadlines).toEqual({ registrationDays: 30, dossierDays: 45, appealWindowDays: 15, appealResolutionDays: 15 });
  });

  it('when the priority table is overridden, then categories are added, changed or removed (null)', () => {
    const rs = resolveRuleSet('nd138', { priorityTable: { local_talent: 100, hero: 800, youth_volunteer: null } });
    expect(rs.priorityTable['local_talent']).toBe(100);
    expect(rs.priorityTable['hero']).toBe(800);
    expect('youth_volunteer' in rs.priorityTable).toBe(false);
  });

  it('when an array is overridden, then it is replaced, not merged', () => {
    expect(resolveRuleSet('nd170', { tieBreak: ['head_decision'] }).tieBreak).toEqual(['head_decision']);
  });

  it('Decree 115/2020 Art. 5: when some arts posts accept age 15, then minAgeYears can be lowered', () => {
    expect(resolveRuleSet('nd115', { minAgeYears: 15 }).minAgeYears).toBe(15);
  });

  it.each([
    [{ minAgeYears: -1 }, 'a negative age'],
    [{ gate: { rankingRoundMinRaw: 50.5 } }, 'a non-integer threshold (hundredths are integers)'],
    [{ tieBreak: ['head_decision', 'ranking_round_raw'] }, 'head_decision not last'],
    [{ tieBreak: ['ranking_round_raw', 'ranking_round_raw'] }, 'a duplicate step'],
    [{ tieBreak: ['coin_toss'] }, 'an unknown step: ties are never broken by chance'],
    [{ reconciliation: { escalateAtSpread: 400 } }, 'escalation below the averaging spread'],
    [{ unknownField: 1 }, 'an unknown key'],
    [{ preset: 'nd115' }, 'the preset (chosen separately)'],
    [{ priorityTable: { 'Bad Code': 100 } }, 'a malformed category code'],
    ['nope', 'a non-object'],
  ])('when overrides contain %j (%s), then rule_set.invalid is thrown', (overrides: unknown, _why: string) => {
    expect(codeOf(() => resolveRuleSet('nd138', overrides))).toBe('rule_set.invalid');
  });

  it('when the error is thrown, then it carries the zod issues with paths', () => {
    try {
      resolveRuleSet('nd138', { minAgeYears: -1 });
      expect.unreachable();
    } catch (err) {
      expect((err as DomainError).details?.['issues']).toEqual([expect.objectContaining({ path: 'minAgeYears' })]);
    }
  });

  it('when the preset is unknown, then rule_set.unknown_preset is thrown', () => {
    expect(codeOf(() => resolveRuleSet('nd999'))).toBe('rule_set.unknown_preset');
  });

  it('when a stored rule set lacks leadership rules for a leadership preset, then it is invalid', () => {
    expect(codeOf(() => validateRuleSet({ ...presetRuleSet('leadership'), leadership: null }))).toBe('rule_set.invalid');
  });
});

describe('leadership panel scores (Circular 22/2025 Quy chế Art. 22(1) by analogy)', () => {
  it('when a leadership rule set is made from the preset, then its panel is marked by members; the legacy import is an override; a set frozen without the field imports', () => {
    expect(leadershipPanelScores(resolveRuleSet('leadership'))).toBe('members');
    const legacy = resolveRuleSet('leadership', { leadership: { panelScores: 'import' } });
    expect(legacy.leadership).toMatchObject({ writtenGate: 5000, panelScores: 'import' });
    expect(leadershipPanelScores(legacy)).toBe('import');
    const frozen = resolveRuleSet('leadership');
    delete frozen.leadership!.panelScores;
    expect(leadershipPanelScores(validateRuleSet(frozen))).toBe('import');
    expect(() => resolveRuleSet('leadership', { leadership: { panelScores: 'council' } })).toThrow();
  });
});
