import { describe, expect, it } from 'vitest';
import { distinctLanguages, examinesLanguage, passesForeignLanguage } from '../../src/domain/foreign-language.js';
import { evaluateGate } from '../../src/domain/ranking.js';
import { presetRuleSet } from '../../src/domain/rule-sets.js';
import { ABSENT, buildRecruitmentInput, type InputApplication, type InputRound } from '../../src/modules/results/results.input.js';

/*
 * Decree 170/2025 Art. 9(5): "Cơ quan có thẩm quyền tuyển dụng quyết định ngoại ngữ thi, nội dung,
 * hình thức, thời gian, xác định điểm số đạt kết quả. Điểm thi ngoại ngữ là điểm điều kiện và không
 * tính vào điểm thi nghiệp vụ chuyên ngành. […] Trường hợp đạt kết quả thi ngoại ngữ thì được dự thi
 * nghiệp vụ chuyên ngành." The decree states no exemption.
 */

describe('Decree 170/2025 Art. 9(5): the agency’s pass mark decides the foreign-language condition', () => {
  it.each([
    // score (hundredths; null absent), max (hundredths), pass mark %, passed
    [5000, 10000, 50, true], // reaching the pass mark passes
    [4900, 10000, 50, false],
    [4999, 10000, 50, false],
    [8000, 10000, 50, true],
    [3000, 6000, 50, true], // on any maximum: percent of it
    [2900, 6000, 50, false],
    [6050, 10000, 60.5, true], // a pass mark with decimals, compared exactly
    [6049, 10000, 60.5, false],
    [0, 10000, 0, true],
    [null, 10000, 50, false], // absent: not passed (Art. 9(5) states no exemption)
    [undefined, 10000, 0, false], // never sat
  ])('when the score is %j of %j and the pass mark is %j %%, then passed is %j', (score, max, mark, passed) => {
    expect(passesForeignLanguage(score, max, mark)).toBe(passed);
  });
});

const rounds: InputRound[] = [
  {
    id: 'r-lang',
    order: 1,
    code: 'english',
    kind: 'gate',
    ranking: false,
    grade: null,
    foreignLanguage: true,
    status: 'revealed',
    exemptionCodes: [],
    parts: [{ id: 'p-lang', index: 0, code: 'english', maxScore: '100.00', weight: 0, written: false, markingMode: 'single' }],
  },
  {
    id: 'r-prof',
    order: 2,
    code: 'professional',
    kind: 'scored',
    ranking: true,
    grade: null,
    status: 'revealed',
    exemptionCodes: [],
    parts: [{ id: 'p-prof', index: 1, code: 'written', maxScore: '100.00', weight: 1, written: true, markingMode: 'single' }],
  },
];

const app = (id: string, quotaId: string, scores: (number | undefined)[], exemptions: string[] = []): InputApplication => ({
  id,
  quotaId,
  candidateId: `c-${id}`,
  choice: 1,
  priorityPoints: 0,
  priorityCategory: null,
  exemptions,
  candidateNumber: null,
  scores,
});

describe('Decree 170/2025 Art. 9(5): the language score is a condition, never counted in the total', () => {
  const ruleSet = presetRuleSet('nd170-300');
  const languageOf = new Map([['q-lang', { language: 'English', passMark: 50 }]]);
  const built = buildRecruitmentInput(
    ruleSet,
    rounds,
    [
      app('pass', 'q-lang', [8000, 7000]),
      app('fail', 'q-lang', [4900]),
      app('absent', 'q-lang', [ABSENT]),
      app('other', 'q-plain', [undefined, 6000]),
      app('exempt-code', 'q-lang', [ABSENT], ['input_quality']),
    ],
    languageOf,
  );
  const byId = new Map(built.applications.map((a) => [a.applicationId, a]));

  it.each([
    // application, gate passed, reason code, ranking total (hundredths)
    ['pass', true, undefined, 7000], // 80 in English: ranked on the professional 70 only
    ['fail', false, 'gate.foreign_language_failed', null],
    ['absent', false, 'gate.foreign_language_failed', null],
    ['other', true, undefined, 6000], // a quota not requiring it is unaffected
    ['exempt-code', false, 'gate.foreign_language_failed', null], // no exemption under 170
  ])('when application %s is evaluated, then the gate passed is %j (%s) and the ranking total is %j', (id, passed, code, total) => {
    const a = byId.get(id)!;
    expect(a.rankingRound?.total ?? null).toBe(total);
    const g = evaluateGate(a, ruleSet);
    expect(g.passed).toBe(passed);
    expect(g.absent).toBe(false);
    expect(g.reasons[0]?.code).toBe(code);
  });

  it('when a candidate fails, then the reason names the language, the pass mark, the article and the score', () => {
    expect(evaluateGate(byId.get('fail')!, ruleSet).reasons[0]!.message).toBe(
      'Did not pass the foreign-language exam (English) required for the position, pass mark 50 % (Decree 170/2025 Art. 9(5)): english: 49.00 of 100.00',
    );
    expect(evaluateGate(byId.get('absent')!, ruleSet).reasons[0]!.message).toContain('english: absent');
  });
});

describe('Decree 170/2025 Art. 9(5): the language set per position, matched to the round that examines it', () => {
  it.each([
    // [round language, quota language, examined] — each row Art. 9(5): the authority sets the language per position
    [null, 'English', true],
    [null, null, true],
    ['English', 'english', true],
    ['Tiếng Anh', ' tiếng  anh ', true],
    ['Tiếng Anh', 'Tie\u0302\u0301ng Anh', true],
    ['French', 'English', false],
    ['English', null, false],
  ] as const)('a round of %j examines a quota requiring %j: %j', (round, quota, expected) => {
    expect(examinesLanguage(round, quota)).toBe(expected);
  });

  it('lists the distinct required languages in first-seen order, as first spelt', () => {
    expect(distinctLanguages(['English', 'French', 'english ', null, 'FRENCH', null])).toEqual(['English', 'French', null]);
  });
});

describe('Decree 170/2025 Art. 9(5): one language round per language, each a condition for its own quotas only', () => {
  const ruleSet = presetRuleSet('nd170-300');
  const twoLanguages: InputRound[] = [
    { ...rounds[0]!, language: 'English' },
    {
      id: 'r-fr',
      order: 2,
      code: 'french',
      kind: 'gate',
      ranking: false,
      grade: null,
      foreignLanguage: true,
      language: 'French',
      status: 'revealed',
      exemptionCodes: [],
      parts: [{ id: 'p-fr', index: 2, code: 'french', maxScore: '100.00', weight: 0, written: false, markingMode: 'single' }],
    },
    { ...rounds[1]!, order: 3 },
  ];
  const languageOf = new Map([
    ['q-en', { language: 'English', passMark: 50 }],
    ['q-fr', { language: 'French', passMark: 60 }],
  ]);
  // scores by part index: 0 English, 1 professional, 2 French
  const built = buildRecruitmentInput(
    ruleSet,
    twoLanguages,
    [app('en', 'q-en', [5000, 7000, undefined]), app('fr', 'q-fr', [undefined, 6500, 6000]), app('fr-fails', 'q-fr', [undefined, undefined, 5900])],
    languageOf,
  );
  const byId = new Map(built.applications.map((a) => [a.applicationId, a]));

  it.each([
    ['en', true, 7000], // English 50 of 100 at pass mark 50: no French script needed
    ['fr', true, 6500], // French 60 at pass mark 60: no English script needed
    ['fr-fails', false, null], // French 59 < 60
  ])('when application %s is evaluated, then the gate passed is %j and the ranking total is %j', (id, passed, total) => {
    const a = byId.get(id)!;
    expect(evaluateGate(a, ruleSet).passed).toBe(passed);
    expect(a.rankingRound?.total ?? null).toBe(total);
  });
});
