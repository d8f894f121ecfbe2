import { formatScore, parseScore, weightedTotalOn100 } from '../../domain/decimal.js';
import type { LeadershipCandidate } from '../../domain/leadership.js';
import type { ApplicationScore, GateRoundOutcome, RankingPart } from '../../domain/ranking.js';
import type { RuleSet } from '../../domain/rule-sets.js';
import { conflict } from '../../errors.js';

/*
 * Turns the drive's stored rounds, parts and final part scores into the plain input of the
 * results engine (src/domain/ranking.ts, leadership.ts). Only mapping lives here; every rule
 * (gate, ranking, ties) is decided by the engine from the rule set.
 */

export type InputRound = {
  id: string;
  order: number;
  code: string;
  kind: 'gate' | 'scored';
  ranking: boolean;
  status: string;
  exemptionCodes: string[];
  parts: { id: string; code: string; maxScore: string; weight: number; written: boolean; markingMode: string }[];
};

export type InputApplication = {
  id: string;
  quotaId: string;
  candidateId: string;
  choice: number;
  priorityPoints: string;
  priorityCategory: string | null;
  exemptions: string[];
};

export type InputScript = { applicationId: string; partId: string; absent: boolean; finalScore: string | null; status: string };

/** Final part scores by application, then part id. */
export type ScriptIndex = Map<string, Map<string, InputScript>>;

export function indexScripts(scripts: readonly InputScript[]): ScriptIndex {
  const index: ScriptIndex = new Map();
  for (const s of scripts) {
    let byPart = index.get(s.applicationId);
    if (!byPart) index.set(s.applicationId, (byPart = new Map()));
    byPart.set(s.partId, s);
  }
  return index;
}

const REVEALED = new Set(['revealed', 'published']);

/** A round whose code↔application join is not yet revealed must not feed results (anonymous marking). */
export function assertRoundsRevealed(rounds: readonly InputRound[]): void {
  const hidden = rounds.filter((r) => !REVEALED.has(r.status));
  if (hidden.length > 0) {
    throw conflict(
      'results.rounds_not_revealed',
      `Results need every round revealed (marks locked and codes joined); not yet: ${hidden.map((r) => `${r.code} (${r.status})`).join(', ')}`,
      { rounds: hidden.map((r) => ({ id: r.id, code: r.code, status: r.status })) },
    );
  }
}

function skipsRound(app: InputApplication, round: InputRound, ruleSet: RuleSet): boolean {
  if (app.exemptions.some((e) => round.exemptionCodes.includes(e))) return true;
  return ruleSet.exemptions.some((e) => app.exemptions.includes(e.code) && e.skipsRounds.includes(round.order));
}

function skipsPart(app: InputApplication, partCode: string, ruleSet: RuleSet): boolean {
  return ruleSet.exemptions.some((e) => app.exemptions.includes(e.code) && e.skipsParts.includes(partCode));
}

/** Hundredths for a stored numeric score. */
const h = (s: string): number => parseScore(s);

/** Correct answers of a computer part are whole numbers; other gate parts compare in hundredths. */
function gatePart(code: string, score: number, max: number): GateRoundOutcome['parts'][number] {
  return score % 100 === 0 && max % 100 === 0 ? { code, correct: score / 100, total: max / 100 } : { code, correct: score, total: max };
}

export type BuiltRecruitmentInput = {
  applications: ApplicationScore[];
  /** Per application: the ranking-round parts as decimal strings, for the explanation. */
  parts: Map<string, { code: string; score: string | null; max: string | null; weight: number | null }[]>;
};

/**
 * Recruitment input (Decree 138/2020 Art. 8–9; Decree 115/2020; Decree 170/2025): gate rounds give
 * pass/fail per part by share of the maximum (questions correct for computer rounds); the ranking
 * round gives the weighted total on 100. A part not sat (absent or never issued) means absent.
 * Scripts still waiting for marks or a reconciliation decision block the computation (409).
 */
export function buildRecruitmentInput(
  ruleSet: RuleSet,
  rounds: readonly InputRound[],
  apps: readonly InputApplication[],
  scripts: ScriptIndex,
): BuiltRecruitmentInput {
  const ordered = [...rounds].sort((a, b) => a.order - b.order);
  const rankingRounds = ordered.filter((r) => r.ranking);
  if (rankingRounds.length !== 1) {
    throw conflict(
      'results.no_ranking_round',
      rankingRounds.length === 0 ? 'The drive has no ranking round to rank candidates by' : 'The drive has more than one ranking round',
      { rankingRounds: rankingRounds.map((r) => r.code) },
    );
  }
  const rankingRound = rankingRounds[0]!;
  const gateRounds = ordered.filter((r) => !r.ranking && r.kind === 'gate');
  const incomplete: { applicationId: string; part: string }[] = [];
  const explainParts = new Map<string, { code: string; score: string | null; max: string | null; weight: number | null }[]>();

  const applications = apps.map((app): ApplicationScore => {
    const byPart = scripts.get(app.id);
    const scriptOf = (partId: string) => byPart?.get(partId);

    // Gate rounds (round 1): ≥ gateRoundPartMinPercent in each part; the engine applies the rule.
    let gate: GateRoundOutcome | null = null;
    let exempt = false;
    let absentFromGate = false;
    let gk: number | null = null;
    if (gateRounds.length > 0) {
      const taken = gateRounds.filter((r) => !skipsRound(app, r, ruleSet));
      exempt = taken.length === 0;
      const parts: GateRoundOutcome['parts'] = [];
      let missing = 0;
      let expected = 0;
      for (const round of taken) {
        for (const p of round.parts) {
          if (skipsPart(app, p.code, ruleSet)) continue;
          expected++;
          const s = scriptOf(p.id);
          if (!s || s.absent) {
            missing++;
            continue;
          }
          if (s.finalScore === null) {
            incomplete.push({ applicationId: app.id, part: `${round.code}.${p.code}` });
            continue;
          }
          const code = taken.length > 1 ? `${round.code}.${p.code}` : p.code;
          parts.push(gatePart(code, h(s.finalScore), h(p.maxScore)));
          if (p.code === 'general_knowledge' && gk === null) gk = h(s.finalScore);
        }
      }
      if (!exempt) {
        absentFromGate = expected > 0 && missing === expected;
        gate = absentFromGate ? null : { passed: missing === 0, parts };
      }
    }

    // Ranking round: weighted total on 100 (Decree 138/2020 Art. 8(2): round 2 scored on 100).
    let rankingRoundScore: ApplicationScore['rankingRound'] = null;
    const shown: { code: string; score: string | null; max: string | null; weight: number | null }[] = [];
    if (!absentFromGate) {
      const parts: RankingPart[] = [];
      let sat = true;
      for (const p of rankingRound.parts) {
        if (skipsPart(app, p.code, ruleSet)) continue;
        const s = scriptOf(p.id);
        if (!s || s.absent) {
          sat = false;
          shown.push({ code: p.code, score: null, max: p.maxScore, weight: p.weight });
          continue;
        }
        if (s.finalScore === null) {
          incomplete.push({ applicationId: app.id, part: `${rankingRound.code}.${p.code}` });
          sat = false;
          continue;
        }
        parts.push({ code: p.code, score: h(s.finalScore), max: h(p.maxScore), written: p.written, weight: p.weight });
        shown.push({ code: p.code, score: formatScore(h(s.finalScore)), max: formatScore(h(p.maxScore)), weight: p.weight });
      }
      if (sat && parts.length > 0) rankingRoundScore = { total: weightedTotalOn100(parts), parts };
    }
    explainParts.set(app.id, shown);

    const score: ApplicationScore = {
      applicationId: app.id,
      quotaId: app.quotaId,
      candidateId: app.candidateId,
      choice: app.choice === 2 ? 2 : 1,
      exempt,
      gateRounds: gate,
      round1GeneralKnowledge: gk,
      rankingRound: rankingRoundScore,
      priorityPoints: h(app.priorityPoints),
      priorityCategory: app.priorityCategory,
    };
    return score;
  });

  if (incomplete.length > 0) {
    throw conflict(
      'results.scores_incomplete',
      `${incomplete.length} script(s) have no final score yet (marks missing or a reconciliation decision pending)`,
      { incomplete: incomplete.slice(0, 50), count: incomplete.length },
    );
  }
  return { applications, parts: explainParts };
}

/**
 * Leadership input (2424/BNV-CCVC): part 1 the written exam, part 2 the action plan defended
 * before the council (the panel part). Scores are rescaled to 100. A round not yet revealed, or
 * a script not yet final, leaves the candidate pending; an absent script means did not sit.
 */
export function buildLeadershipInput(rounds: readonly InputRound[], apps: readonly InputApplication[], scripts: ScriptIndex): LeadershipCandidate[] {
  const ordered = [...rounds].sort((a, b) => a.order - b.order);
  const all = ordered.flatMap((r) => r.parts.map((p) => ({ round: r, part: p })));
  const written = all.find((x) => x.part.written);
  const actionPlan = all.find((x) => x !== written && (x.part.markingMode === 'panel' || x.part.code === 'action_plan'));

  const scoreOf = (appId: string, x: (typeof all)[number] | undefined): number | null | undefined => {
    if (!x || !REVEALED.has(x.round.status)) return undefined;
    const s = scripts.get(appId)?.get(x.part.id);
    if (!s) return undefined;
    if (s.absent) return null;
    if (s.finalScore === null) return undefined;
    return weightedTotalOn100([{ score: h(s.finalScore), max: h(x.part.maxScore), weight: 1 }]);
  };

  return apps.map((app) => {
    const c: LeadershipCandidate = { applicationId: app.id, titleId: app.quotaId };
    const w = scoreOf(app.id, written);
    if (w !== undefined) c.written = w;
    const ap = scoreOf(app.id, actionPlan);
    if (ap !== undefined) c.actionPlanScore = ap;
    return c;
  });
}
