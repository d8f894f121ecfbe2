import { describe, expect, it } from 'vitest';
import { formatScore } from '../../src/domain/decimal.js';
import { computeRecruitmentResults } from '../../src/domain/ranking.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { compactExplanation, expandExplanation, explanationContext, isWhole } from '../../src/modules/results/results.explanation.js';
import { buildRecruitmentInput, type InputApplication, type InputRound } from '../../src/modules/results/results.input.js';
import type { ResultExplanation } from '../../src/modules/results/results.table.js';

/*
 * A recruitment result's explanation is stored without what is derived back from the row and the
 * drive's frozen data: given back whole, it must be exactly the engine's explanation, whatever the
 * case (passed, failed, absent, tied, priority, exempt, several ranking parts).
 */

const ruleSet = resolveRuleSet('nd138');
const round = (id: string, order: number, ranking: boolean, parts: { code: string; max?: string; weight?: number }[], start: number): InputRound => ({
  id,
  order,
  code: `r${order}`,
  grade: null,
  kind: ranking ? 'scored' : 'gate',
  ranking,
  status: 'revealed',
  exemptionCodes: order === 1 ? ['input_quality'] : [],
  parts: parts.map((p, i) => ({
    id: `${id}-${p.code}`,
    index: start + i,
    code: p.code,
    maxScore: p.max ?? '100.00',
    weight: p.weight ?? 1,
    written: true,
    markingMode: 'double',
  })),
});
const app = (n: number, scores: (number | undefined)[], extra: Partial<InputApplication> = {}): InputApplication => ({
  id: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  quotaId: 'q',
  candidateId: `c${n}`,
  choice: 1,
  priorityPoints: 0,
  priorityCategory: null,
  exemptions: [],
  candidateNumber: null,
  scores,
  ...extra,
});

/** The engine's explanations of each application, as the service stores them before compaction. */
function explained(rounds: InputRound[], apps: InputApplication[], slots = 2) {
  const built = buildRecruitmentInput(ruleSet, rounds, apps);
  const [q] = computeRecruitmentResults({ ruleSet, quotas: [{ id: 'q', slots }], applications: built.applications });
  return q!.applications.map((a) => ({
    rawScore: a.rawScore === null ? null : formatScore(a.rawScore),
    explanation: { text: a.explanation, gate: a.gate, tiedWith: a.tiedWith, priorityCategory: a.priorityCategory, parts: built.parts.get(a.applicationId) ?? [] } as ResultExplanation,
  }));
}

describe('recruitment explanations stored compactly', () => {
  it('when every kind of row is compacted and expanded, then each explanation is exactly the engine’s; common rows keep only text and gate.passed', () => {
    const rounds = [round('g', 1, false, [{ code: 'general_knowledge', max: '60.00' }], 0), round('k', 2, true, [{ code: 'professional' }], 1)];
    const rows = explained(
      rounds,
      [
        app(1, [4000, 9000]), // winner
        app(2, [4000, 8000], { priorityCategory: 'veteran_child', priorityPoints: 500 }), // priority
        app(3, [4000, 8500]), // tied with 2 at 85.00
        app(4, [4000, 7000]), // reserve
        app(5, [4000, 3000]), // failed: raw below 50
        app(6, [2000, 9500]), // failed round 1
        app(7, [4000, -1]), // absent from the ranking round
        app(8, [-1, -1]), // absent from everything
        app(9, [undefined, 6000], { exemptions: ['input_quality'] }), // exempt from round 1
      ],
      2,
    );
    const ctx = explanationContext(rounds, ruleSet);
    let compacted = 0;
    for (const r of rows) {
      const stored = compactExplanation(r.explanation, r, ctx);
      if (!isWhole(stored)) compacted++;
      // Through the database as JSON and back.
      const read = JSON.parse(JSON.stringify(stored)) as typeof stored;
      expect(expandExplanation(read, r, ctx)).toEqual(r.explanation);
    }
    expect(compacted).toBe(rows.length);
    const winner = compactExplanation(rows[0]!.explanation, rows[0]!, ctx);
    expect(Object.keys(winner).sort()).toEqual(['gate', 'text']);
    expect(winner.gate).toEqual({ passed: true });
    const failed = rows.find((r) => r.explanation.gate.reasons[0]?.code === 'gate.raw_below_minimum')!;
    expect(Object.keys(compactExplanation(failed.explanation, failed, ctx)).sort()).toEqual(['gate', 'text']);
  });

  it('when the ranking round has several parts, then parts stay stored and still come back exactly', () => {
    const rounds = [round('k', 2, true, [{ code: 'written', weight: 2 }, { code: 'interview', max: '50.00' }], 0)];
    const rows = explained(rounds, [app(1, [8000, 4000]), app(2, [6000, -1]), app(3, [2000, 1000])], 1);
    const ctx = explanationContext(rounds, ruleSet);
    expect(ctx.rankingPart).toBeNull();
    for (const r of rows) {
      const stored = compactExplanation(r.explanation, r, ctx);
      expect(stored.parts).toEqual(r.explanation.parts);
      expect(expandExplanation(stored, r, ctx)).toEqual(r.explanation);
    }
  });

  it('when an explanation was stored whole (before, or leadership), then it is read as it is', () => {
    const whole: ResultExplanation = { text: 't', gate: { passed: false, reasons: [] }, tiedWith: [], priorityCategory: null, parts: [] };
    expect(expandExplanation(whole, { rawScore: '12.00' }, { rankingPart: { code: 'p', maxScore: '100.00', weight: 1 }, rankingRoundMinRaw: 5000 })).toBe(whole);
  });
});
