import { describe, expect, it } from 'vitest';
import { gatesAdmitOnlyPassers, presetRuleSet, type JobGrade, type Preset } from '../../src/domain/rule-sets.js';
import { buildRecruitmentInput, type InputApplication, type InputRound } from '../../src/modules/results/results.input.js';

/*
 * Decree 170/2025 Art. 9 (Art. 9(4) as amended by Decree 300/2026 Art. 2): who sits which round, and
 * how a drive holding quotas of different grades builds the input of the results engine.
 */

describe('Art. 9(2)(a): round 2 only for those who passed round 1', () => {
  it.each<[Preset, boolean, string]>([
    ['nd170', true, 'Decree 170/2025 Art. 9(2)(a), 16(3)(c)'],
    ['nd170-300', true, 'Decree 170/2025 as amended by 300/2026: Art. 9(2)(a) unchanged'],
    ['nd138', false, 'Decree 138/2020 drives keep their behaviour'],
    ['nd115', false, 'Decree 115/2020 drives keep their behaviour'],
    ['leadership', false, '2424/BNV-CCVC: no gate round'],
  ])('when the preset is %s, then gatesAdmitOnlyPassers is %s (%s)', (preset, expected) => {
    expect(gatesAdmitOnlyPassers(presetRuleSet(preset))).toBe(expected);
  });
});

const ruleSet = presetRuleSet('nd170-300');
let index = 0;
const round = (code: string, order: number, grade: JobGrade | null, kind: 'gate' | 'scored', parts: { code: string; max: string; weight: number; written?: boolean }[]): InputRound => ({
  id: `${code}-${grade}`,
  order,
  code,
  kind,
  ranking: kind === 'scored',
  grade,
  status: 'revealed',
  exemptionCodes: [],
  parts: parts.map((p) => ({ id: `${code}-${grade}-${p.code}`, index: index++, code: p.code, maxScore: p.max, weight: p.weight, written: p.written ?? false, markingMode: 'single' })),
});
const nvRound = round('professional', 1, 'nhan_vien', 'scored', [{ code: 'professional', max: '100', weight: 1 }]);
const cvRound1 = round('round1', 1, 'chuyen_vien', 'gate', [{ code: 'general_knowledge', max: '60', weight: 0 }]);
const cvRound2 = round('round2', 2, 'chuyen_vien', 'scored', [
  { code: 'written', max: '100', weight: 70, written: true },
  { code: 'interview', max: '100', weight: 30 },
]);
const cvcRound = round('round2', 1, 'chuyen_vien_chinh', 'scored', [
  { code: 'written', max: '100', weight: 70, written: true },
  { code: 'interview', max: '100', weight: 30 },
]);
const rounds = [nvRound, cvRound1, cvRound2, cvcRound];
const at = (r: InputRound, code: string) => r.parts.find((p) => p.code === code)!.index;
const app = (id: string, grade: JobGrade | null, scores: [InputRound, string, number][]): InputApplication => {
  const s: (number | undefined)[] = [];
  for (const [r, code, v] of scores) s[at(r, code)] = v;
  return { id, quotaId: `q-${grade}`, candidateId: `c-${id}`, choice: 1, priorityPoints: 0, priorityCategory: null, exemptions: [], candidateNumber: null, scores: s, grade };
};

describe('Art. 9(1)–(3): each grade ranked over its own rounds', () => {
  it.each<[string, InputApplication, { gate: boolean; total: number | null }]>([
    ['Art. 9(1) nhân viên: the oral exam alone, no gate round', app('nv', 'nhan_vien', [[nvRound, 'professional', 7000]]), { gate: false, total: 7000 }],
    [
      'Art. 9(2) chuyên viên: round 1 gate, then round 2 written 70 + interview 30',
      app('cv', 'chuyen_vien', [
        [cvRound1, 'general_knowledge', 4000],
        [cvRound2, 'written', 8000],
        [cvRound2, 'interview', 7000],
      ]),
      { gate: true, total: 7700 },
    ],
    [
      'Art. 9(3) chuyên viên chính: round 2 only',
      app('cvc', 'chuyen_vien_chinh', [
        [cvcRound, 'written', 9000],
        [cvcRound, 'interview', 5000],
      ]),
      { gate: false, total: 7800 },
    ],
  ])('%s', (_, a, expected) => {
    const [built] = buildRecruitmentInput(ruleSet, rounds, [a]).applications;
    expect(built!.gateRounds !== null).toBe(expected.gate);
    expect(built!.rankingRound?.total ?? null).toBe(expected.total);
  });

  it('when a grade has no ranking round of its own, then 409 results.no_ranking_round names the grade', () => {
    expect(() => buildRecruitmentInput(ruleSet, [nvRound, cvRound1], [app('cv', 'chuyen_vien', [[cvRound1, 'general_knowledge', 4000]])])).toThrow(
      expect.objectContaining({ code: 'results.no_ranking_round', extras: expect.objectContaining({ grade: 'chuyen_vien' }) }),
    );
  });
});
