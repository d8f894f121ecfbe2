import { describe, expect, it } from 'vitest';
import { structureViolation, writtenInterviewWeights, type HandBuiltRound } from '../../src/domain/round-structure.js';
import { presetRuleSet, type JobGrade } from '../../src/domain/rule-sets.js';

/*
 * Decree 170/2025 Art. 9 (Art. 9(4) as amended by Decree 300/2026 Art. 2): a hand-built round keeps
 * the structure the drive's rule set gives its grade.
 */
const written = (weight: number) => ({ code: 'written', weight, written: true, markingMode: 'double' });
const interview = (weight: number) => ({ code: 'interview', weight, written: false, markingMode: 'panel' });
const oral = { code: 'oral', weight: 1, written: false, markingMode: 'panel' };
const round = (grade: JobGrade | null, parts: HandBuiltRound['parts'], extra: Partial<HandBuiltRound> = {}): HandBuiltRound => ({
  grade,
  kind: 'scored',
  ranking: true,
  foreignLanguage: false,
  parts,
  ...extra,
});

describe('Decree 170/2025 Art. 9: hand-built rounds against the rule set structures', () => {
  it('reads the written : interview weights from the rule set (Art. 9(2)(b): 70 : 30); older rule sets have none', () => {
    expect(writtenInterviewWeights(presetRuleSet('nd170'))).toEqual({ written: 70, interview: 30 });
    expect(writtenInterviewWeights(presetRuleSet('nd170-300'))).toEqual({ written: 70, interview: 30 });
  });

  it.each([
    // [case, preset, round, violation code or null] — each row cites its article
    ['Art. 9(2)(b): written 70 + interview 30', 'nd170-300', round('chuyen_vien', [written(70), interview(30)]), null],
    ['Art. 9(2)(b): the same ratio 7 : 3', 'nd170-300', round(null, [written(7), interview(3)]), null],
    ['Art. 9(2)(b): 1 : 1 is not the decree', 'nd170-300', round('chuyen_vien', [written(1), interview(1)]), 'round.weights_not_lawful'],
    ['Art. 9(2)(b): 30 : 70 reversed', 'nd170', round(null, [written(30), interview(70)]), 'round.weights_not_lawful'],
    ['Art. 9(2)(b): written only', 'nd170', round('chuyen_vien', [written(1)]), null],
    ['Art. 9(2)(b): a gate round with the same parts does not rank', 'nd170', round(null, [written(1), interview(1)], { kind: 'gate', ranking: false }), null],
    ['Art. 9(5): a foreign-language round is outside the structure', 'nd170', round('nhan_vien', [written(0)], { kind: 'gate', ranking: false, foreignLanguage: true }), null],
    ['Art. 9(1): nhân viên sit an oral or practical exam', 'nd170-300', round('nhan_vien', [oral]), null],
    ['Art. 9(1): nhân viên sit no written part', 'nd170-300', round('nhan_vien', [written(1)]), 'round.structure_mismatch'],
    ['Art. 9(1): nhân viên sit no gate round', 'nd170-300', round('nhan_vien', [oral], { kind: 'gate', ranking: false }), 'round.structure_mismatch'],
    ['Art. 9(2)(a): chuyên viên sit the computer gate round', 'nd170-300', round('chuyen_vien', [{ code: 'general_knowledge', weight: 0, written: true, markingMode: 'single' }], { kind: 'gate', ranking: false }), null],
    ['Art. 9(3): chuyên viên chính sit round 2 only', 'nd170-300', round('chuyen_vien_chinh', [written(1)], { kind: 'gate', ranking: false }), 'round.structure_mismatch'],
    ['Art. 9(4): the Đề án is defended before a panel', 'nd170-300', round('cao_cap', [{ code: 'project', weight: 1, written: false, markingMode: 'panel' }]), null],
    ['Art. 9(4): a Đề án marked by one marker', 'nd170-300', round('cao_cap', [{ code: 'project', weight: 1, written: true, markingMode: 'double' }]), 'round.structure_mismatch'],
    ['Decree 138/2020 has no structures: 1 : 1 stays', 'nd138', round(null, [written(1), interview(1)]), null],
    ['Decree 115/2020 has no structures', 'nd115', round(null, [written(1), interview(1)]), null],
  ] as const)('%s', (_case, preset, r, expected) => {
    expect(structureViolation(presetRuleSet(preset), r)?.code ?? null).toBe(expected);
  });
});
