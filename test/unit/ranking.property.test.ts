import { describe, expect, it } from 'vitest';
import {
  computeRecruitmentResults,
  promoteReserve,
  type ApplicationScore,
  type QuotaResult,
  type TieDecision,
} from '../../src/domain/ranking.js';
import { PRESETS, resolveRuleSet, type RuleSet, type TieStep } from '../../src/domain/rule-sets.js';
import { prng } from './fixtures.js';

/*
 * Property-style checks over many random drives. Scores are drawn from a handful of values so
 * that ties (on ranking score, raw, written part, general knowledge) are frequent.
 */

const recruitmentPresets = PRESETS.filter((p) => p !== 'leadership');

function randomDrive(seed: number): { ruleSet: RuleSet; quotas: { id: string; slots: number }[]; applications: ApplicationScore[] } {
  const rnd = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const ruleSet = resolveRuleSet(pick(recruitmentPresets));
  const quotas = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => ({ id: `q${i}`, slots: Math.floor(rnd() * 4) }));
  const applications: ApplicationScore[] = [];
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i += 1) {
    const written = pick([4000, 5000, 7000, 9000]);
    const interview = pick([5000, 7000, 9000]);
    const total = Math.round((written + interview) / 2);
    const nv2 = ruleSet.applicationsPerCandidate === 2 && rnd() < 0.25;
    applications.push({
      applicationId: `a${i}`,
      quotaId: pick(quotas).id,
      choice: nv2 ? 2 : 1,
      rankingRound: rnd() < 0.08 ? null : {
        total,
        parts: [
          { code: 'written', score: written, max: 10000, written: true, weight: 1 },
          { code: 'interview', score: interview, max: 10000, written: false, weight: 1 },
        ],
      },
      round1GeneralKnowledge: rnd() < 0.2 ? null : pick([3000, 4000]),
      priorityPoints: pick([0, 0, 250, 500, 750]),
      priorityCategory: null,
    });
  }
  return { ruleSet, quotas, applications };
}

function chainKeys(a: ApplicationScore, chain: readonly TieStep[]): string {
  return chain
    .map((step) => {
      if (step === 'ranking_round_raw') return a.rankingRound?.total;
      if (step === 'round1_general_knowledge') return a.round1GeneralKnowledge ?? 'n/a';
      if (step === 'written_part') return a.rankingRound?.parts.find((p) => p.written)?.score ?? 'n/a';
      return '';
    })
    .join('|');
}

/** Two applications the chain cannot separate without the head (missing keys make a step inapplicable). */
function inseparable(a: ApplicationScore, b: ApplicationScore, chain: readonly TieStep[]): boolean {
  if ((a.rankingRound?.total ?? 0) + a.priorityPoints !== (b.rankingRound?.total ?? 0) + b.priorityPoints) return false;
  for (const step of chain) {
    if (step === 'head_decision') continue;
    const ka = step === 'ranking_round_raw' ? a.rankingRound?.total : step === 'round1_general_knowledge' ? a.round1GeneralKnowledge : a.rankingRound?.parts.find((p) => p.written)?.score;
    const kb = step === 'ranking_round_raw' ? b.rankingRound?.total : step === 'round1_general_knowledge' ? b.round1GeneralKnowledge : b.rankingRound?.parts.find((p) => p.written)?.score;
    if (ka == null || kb == null) continue;
    if (ka !== kb) return false;
  }
  return true;
}

function checkInvariants(results: QuotaResult[], drive: ReturnType<typeof randomDrive>, decided: boolean): void {
  const byId = new Map(drive.applications.map((a) => [a.applicationId, a]));
  for (const q of results) {
    // winners never exceed slots, and the quota's status is consistent
    expect(q.winners.length).toBeLessThanOrEqual(q.slots);
    expect(q.applications.filter((a) => a.outcome === 'winner').map((a) => a.applicationId).sort()).toEqual([...q.winners].sort());
    if (q.status === 'tie_pending_decision') {
      expect(q.winners.length + q.openSlotsInTie).toBe(q.slots);
      expect(q.tiedApplicationIds.length).toBeGreaterThan(q.openSlotsInTie);
    }
    if (q.status === 'complete') expect(q.winners.length).toBe(q.slots);
    // every winner passed the gate, and nobody tied across the last slot wins without a decision
    for (const w of q.applications.filter((a) => a.outcome === 'winner')) {
      expect(w.gate.passed).toBe(true);
      const wa = byId.get(w.applicationId) as ApplicationScore;
      for (const l of q.applications.filter((a) => a.outcome === 'reserve' || a.outcome === 'tied_pending')) {
        const la = byId.get(l.applicationId) as ApplicationScore;
        if (wa.choice !== la.choice) continue; // NV1 precedes NV2 regardless of score
        expect((w.rankingScore ?? 0) >= (l.rankingScore ?? 0)).toBe(true);
        if (!decided) expect(inseparable(wa, la, drive.ruleSet.tieBreak), `${w.applicationId} vs ${l.applicationId} ${chainKeys(wa, drive.ruleSet.tieBreak)}`).toBe(false);
      }
    }
    // NV1 passers always rank ahead of NV2 passers
    const ranked = q.applications.filter((a) => a.rank !== null);
    const firstNv2 = ranked.findIndex((a) => a.choice === 2);
    if (firstNv2 >= 0) expect(ranked.slice(firstNv2).every((a) => a.choice === 2)).toBe(true);
  }
}

describe('property: the results engine over random drives', () => {
  it('when 2000 random drives are ranked, then winners ≤ slots and no inseparable tie across the last slot is guessed', () => {
    for (let seed = 1; seed <= 2000; seed += 1) {
      const drive = randomDrive(seed);
      checkInvariants(computeRecruitmentResults(drive), drive, false);
    }
  });

  it('when the input order is shuffled, then every outcome and rank is identical (no tie broken by position or id)', () => {
    for (let seed = 1; seed <= 500; seed += 1) {
      const drive = randomDrive(seed);
      const rnd = prng(seed * 7919);
      const shuffled = [...drive.applications].sort(() => rnd() - 0.5);
      const summary = (rs: QuotaResult[]) =>
        rs.flatMap((q) => q.applications.map((a) => `${a.applicationId}:${a.outcome}:${a.rank}`)).sort();
      expect(summary(computeRecruitmentResults({ ...drive, applications: shuffled }))).toEqual(summary(computeRecruitmentResults(drive)));
    }
  });

  it('when the head orders every pending tie, then no quota stays pending and winners still fit the slots', () => {
    for (let seed = 1; seed <= 1000; seed += 1) {
      const drive = randomDrive(seed);
      const first = computeRecruitmentResults(drive);
      const tieDecisions: TieDecision[] = first
        .filter((q) => q.status === 'tie_pending_decision')
        .map((q) => ({ quotaId: q.quotaId, orderedApplicationIds: [...q.tiedApplicationIds].reverse() }));
      const second = computeRecruitmentResults({ ...drive, tieDecisions });
      checkInvariants(second, drive, true);
      for (const q of second) expect(q.status).not.toBe('tie_pending_decision');
    }
  });

  it('when any winner is cancelled, then at most one new winner is promoted from the same quota, or the tie is reported', () => {
    for (let seed = 1; seed <= 1000; seed += 1) {
      const drive = randomDrive(seed);
      const results = computeRecruitmentResults(drive);
      for (const q of results) {
        if (q.status === 'awaiting_other_quota') continue;
        for (const w of q.winners) {
          const p = promoteReserve(results, w);
          const after = p.results.find((x) => x.quotaId === q.quotaId) as QuotaResult;
          expect(after.winners.length).toBeLessThanOrEqual(q.slots);
          expect(after.winners).not.toContain(w);
          if (p.status === 'promoted') {
            const before = q.applications.find((a) => a.applicationId === p.replacementApplicationId);
            expect(['reserve', 'tied_pending']).toContain(before?.outcome);
          }
          if (p.status === 'tie_pending_decision') expect(after.winners.length + p.openSlotsInTie).toBe(q.slots);
          // other quotas are untouched
          for (const other of p.results.filter((x) => x.quotaId !== q.quotaId)) {
            expect(other).toEqual(results.find((x) => x.quotaId === other.quotaId));
          }
        }
      }
    }
  });
});
