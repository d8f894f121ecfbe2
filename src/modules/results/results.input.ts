import { formatScore, parseScore, reachesPercent, weightedTotalOn100 } from '../../domain/decimal.js';
import { disciplinedScore, type DisciplineKind } from '../../domain/discipline.js';
import { examinesLanguage, foreignLanguageFailure, passesForeignLanguage } from '../../domain/foreign-language.js';
import type { LeadershipCandidate } from '../../domain/leadership.js';
import type { ApplicationScore, GateRoundOutcome, RankingPart } from '../../domain/ranking.js';
import type { JobGrade, RuleSet } from '../../domain/rule-sets.js';
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
  /** The grade whose quotas sit the round (Decree 170/2025 Art. 9); null: every quota. */
  grade: JobGrade | null;
  /** The foreign-language exam of Decree 170/2025 Art. 9(5): a condition, never a gate or ranking round. */
  foreignLanguage?: boolean;
  /** The language a foreign-language round examines; null or absent: every required language. */
  language?: string | null;
  /** review: sat by the review quotas (Decree 170/2025 Art. 11); null, absent or exam: by the exam quotas. */
  method?: 'exam' | 'review' | null;
  status: string;
  exemptionCodes: string[];
  /** `index`: the part's place in the drive's list of parts, which indexes InputApplication.scores. */
  parts: { id: string; index: number; code: string; maxScore: string; weight: number; written: boolean; markingMode: string; computer?: boolean }[];
};

/** A part's script was marked absent (did not sit). */
export const ABSENT = -1;
/** A part's script has no final score yet (marks missing or a reconciliation decision pending). */
export const PENDING = -2;

/**
 * Final part scores of one application by part index: integer hundredths, ABSENT, PENDING, or
 * undefined when no script was issued for the part.
 */
export type PartScores = (number | undefined)[];

export type InputApplication = {
  id: string;
  quotaId: string;
  candidateId: string;
  choice: number;
  /** Integer hundredths. */
  priorityPoints: number;
  priorityCategory: string | null;
  exemptions: string[];
  candidateNumber: string | null;
  scores: PartScores;
  /** The grade of the quota's job position; read only when some round concerns one grade. */
  grade?: JobGrade | null;
  /** The quota's method (Decree 170/2025 Art. 3(2)(d)); absent: exam. */
  method?: 'exam' | 'review';
  /** A jointly recruited position's preferences (Decree 170/2025 Art. 10(3)); read only when the drive has one. */
  agencyPreferences?: string[];
  /** The ethnic group code; read only when a quota sets per-group slots (Decree 170/2025 Art. 3(2)(c)). */
  ethnicityCode?: string | null;
  /** Applied disciplinary acts (Circular 22/2025 Nội quy Art. 2), by the part they were decided on. */
  discipline?: { partId: string; kind: DisciplineKind; minuteRef: string }[];
};

/**
 * Parses the compact per-application score list read by the repository: "index:value" pairs
 * joined by commas, the value being integer hundredths (computed exactly in SQL from numeric),
 * `a` for absent or `p` for pending. No binary floating point is involved: the digits are an integer.
 */
export function parsePartScores(text: string | null): PartScores {
  const scores: PartScores = [];
  if (!text) return scores;
  for (const pair of text.split(',')) {
    const colon = pair.indexOf(':');
    const index = Number(pair.slice(0, colon));
    const value = pair.slice(colon + 1);
    scores[index] = value === 'a' ? ABSENT : value === 'p' ? PENDING : Number(value);
  }
  return scores;
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
  if (app.exemptions.length === 0) return false;
  if (app.exemptions.some((e) => round.exemptionCodes.includes(e))) return true;
  return ruleSet.exemptions.some((e) => app.exemptions.includes(e.code) && e.skipsRounds.includes(round.order));
}

function skipsPart(app: InputApplication, partCode: string, ruleSet: RuleSet): boolean {
  if (app.exemptions.length === 0) return false;
  return ruleSet.exemptions.some((e) => app.exemptions.includes(e.code) && e.skipsParts.includes(partCode));
}

/** Hundredths for a stored numeric score. */
const h = (s: string): number => parseScore(s);

/** Σ weighted parts on 100; one part of maximum 100.00 is its own score (the same exact value, without BigInt). */
function totalOn100(parts: readonly RankingPart[]): number {
  const only = parts.length === 1 ? parts[0]! : undefined;
  return only && only.max === 10000 && only.weight > 0 ? only.score : weightedTotalOn100(parts);
}

/** Correct answers of a computer part are whole numbers; other gate parts compare in hundredths. */
function gatePart(code: string, score: number, max: number): GateRoundOutcome['parts'][number] {
  return score % 100 === 0 && max % 100 === 0 ? { code, correct: score / 100, total: max / 100 } : { code, correct: score, total: max };
}

export type BuiltRecruitmentInput = {
  applications: ApplicationScore[];
  /** Per application: the ranking-round parts as decimal strings, for the explanation. */
  parts: Map<string, { code: string; score: string | null; max: string | null; weight: number | null }[]>;
  /** Per application with applied disciplinary acts: what each did to a paper's score, for the explanation. */
  discipline: Map<string, string[]>;
};

type Incomplete = { applicationId: string; part: string }[];

/** A quota's foreign-language requirement (Decree 170/2025 Art. 9(5)): language and pass mark in percent. */
export type LanguageRequirement = { language: string | null; passMark: number };

/**
 * Recruitment input (Decree 138/2020 Art. 8–9; Decree 115/2020; Decree 170/2025): gate rounds give
 * pass/fail per part by share of the maximum (questions correct for computer rounds); the ranking
 * round gives the weighted total on 100. A part not sat (absent or never issued) means absent.
 * Scripts still waiting for marks or a reconciliation decision block the computation (409).
 *
 * One ranking round per drive; or, when rounds concern one grade each (Decree 170/2025 Art. 9: a
 * drive holding quotas of different grades, each sitting its own structure), one ranking round per
 * grade, over the rounds of every quota and those of that grade: each quota is ranked over its own rounds.
 */
export function buildRecruitmentInput(
  ruleSet: RuleSet,
  rounds: readonly InputRound[],
  apps: readonly InputApplication[],
  languageOf: ReadonlyMap<string, LanguageRequirement> = new Map(),
): BuiltRecruitmentInput {
  const incomplete: Incomplete = [];
  const discipline = new Map<string, string[]>();
  const scored = apps.map((a) => withDiscipline(a, rounds, discipline));
  let built: Omit<BuiltRecruitmentInput, 'discipline'>;
  const methodOfRound = (r: InputRound) => r.method ?? 'exam';
  const reviewed = rounds.some((r) => methodOfRound(r) === 'review') || apps.some((a) => a.method === 'review');
  if (!rounds.some((r) => r.grade !== null) && !reviewed) {
    built = buildGroup(ruleSet, rounds, scored, incomplete, null, languageOf);
  } else {
    // One group per grade and method: review quotas sit the review's rounds only (Decree 170/2025 Art. 3(2)(d), 11).
    const byGroup = new Map<string, { grade: JobGrade | null; method: 'exam' | 'review'; apps: InputApplication[] }>();
    for (const app of scored) {
      const grade = app.grade ?? null;
      const method = app.method ?? 'exam';
      const key = `${grade ?? ''}|${method}`;
      const group = byGroup.get(key);
      if (group) group.apps.push(app);
      else byGroup.set(key, { grade, method, apps: [app] });
    }
    const outcome = new Map<string, ApplicationScore>();
    const parts: BuiltRecruitmentInput['parts'] = new Map();
    for (const { grade, method, apps: group } of byGroup.values()) {
      const own = rounds.filter((r) => (r.grade === null || r.grade === grade) && methodOfRound(r) === method);
      const g = buildGroup(ruleSet, own, group, incomplete, grade, languageOf, method);
      for (const a of g.applications) outcome.set(a.applicationId, a);
      for (const [id, p] of g.parts) parts.set(id, p);
    }
    built = { applications: scored.map((a) => outcome.get(a.id)!), parts };
  }
  if (incomplete.length > 0) {
    throw conflict(
      'results.scores_incomplete',
      `${incomplete.length} script(s) have no final score yet (marks missing or a reconciliation decision pending)`,
      { incomplete: incomplete.slice(0, 50), count: incomplete.length },
    );
  }
  return { ...built, discipline };
}

/**
 * An application's part scores after its applied disciplinary acts (Circular 22/2025 Nội quy Art. 2;
 * src/domain/discipline.ts): a reprimand or warning deducts from the paper's final score (after any
 * appeal: the script's final score is the appeal's); a suspension cancels that paper and the later
 * ones (Art. 2(4)); a cancellation, every paper (Art. 2(5)). A cancelled paper scores 0. Notes go to
 * the result's explanation.
 */
export function withDiscipline(app: InputApplication, rounds: readonly InputRound[], notes: Map<string, string[]>): InputApplication {
  if (!app.discipline || app.discipline.length === 0) return app;
  const all = rounds.flatMap((r) => r.parts.map((p) => ({ ...p, label: `${r.code}.${p.code}` })));
  const byId = new Map(all.map((p) => [p.id, p]));
  const acts = new Map<number, { kind: DisciplineKind; minuteRef: string }[]>();
  const add = (index: number, act: { kind: DisciplineKind; minuteRef: string }) => acts.set(index, [...(acts.get(index) ?? []), act]);
  for (const act of app.discipline) {
    const part = byId.get(act.partId);
    if (!part) continue;
    if (act.kind === 'cancellation') {
      for (const p of all) add(p.index, act);
    } else if (act.kind === 'suspension') {
      for (const p of all) if (p.index >= part.index) add(p.index, act);
    } else {
      add(part.index, act);
    }
  }
  const scores = [...app.scores];
  const out: string[] = [];
  for (const p of all) {
    const list = acts.get(p.index);
    if (!list) continue;
    const s = scores[p.index];
    const cancels = list.some((a) => a.kind === 'suspension' || a.kind === 'cancellation');
    // A paper not sat keeps its state; a cancelled paper still waiting for marks is 0 whatever the marks.
    if (s === undefined || s === ABSENT) continue;
    if (s === PENDING) {
      if (!cancels) continue;
      scores[p.index] = 0;
      out.push(`${p.label}: cancelled (${list.map((a) => `${a.kind}, minute ${a.minuteRef}`).join('; ')})`);
      continue;
    }
    const d = disciplinedScore(s, list);
    if (!d) continue;
    scores[p.index] = d.score;
    out.push(`${p.label}: ${d.note}`);
  }
  if (out.length > 0) notes.set(app.id, out);
  return { ...app, scores };
}

/** The input of applications that sit the same rounds (the whole drive, or the quotas of one grade). */
function buildGroup(
  ruleSet: RuleSet,
  rounds: readonly InputRound[],
  apps: readonly InputApplication[],
  incomplete: Incomplete,
  grade: JobGrade | null,
  languageOf: ReadonlyMap<string, LanguageRequirement>,
  method: 'exam' | 'review' = 'exam',
): Omit<BuiltRecruitmentInput, 'discipline'> {
  // The foreign-language exam is a condition (Art. 9(5)): neither a gate round nor counted in the score.
  const languageRounds = rounds.filter((r) => r.foreignLanguage === true).sort((a, b) => a.order - b.order);
  const ordered = rounds.filter((r) => r.foreignLanguage !== true).sort((a, b) => a.order - b.order);
  const rankingRounds = ordered.filter((r) => r.ranking);
  if (rankingRounds.length !== 1) {
    const whose = method === 'review' ? 'The review quotas' : grade === null ? 'The drive' : `The quotas of grade ${grade}`;
    throw conflict(
      'results.no_ranking_round',
      rankingRounds.length === 0 ? `${whose} have no ranking round to rank candidates by` : `${whose} have more than one ranking round`,
      { rankingRounds: rankingRounds.map((r) => r.code), ...(grade === null ? {} : { grade }), ...(method === 'review' ? { method } : {}) },
    );
  }
  const rankingRound = rankingRounds[0]!;
  const gateRounds = ordered.filter((r) => !r.ranking && r.kind === 'gate');
  const percentMin = ruleSet.gate.rankingRoundPartMinPercent;
  const explainParts = new Map<string, { code: string; score: string | null; max: string | null; weight: number | null }[]>();
  // Part maxima once, not once per application.
  const maxOf = new Map<string, { hundredths: number; text: string }>();
  for (const r of [...ordered, ...languageRounds]) for (const p of r.parts) maxOf.set(p.id, { hundredths: h(p.maxScore), text: formatScore(h(p.maxScore)) });

  const applications = apps.map((app): ApplicationScore => {
    const scores = app.scores;

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
          const s = scores[p.index];
          if (s === undefined || s === ABSENT) {
            missing++;
            continue;
          }
          if (s === PENDING) {
            incomplete.push({ applicationId: app.id, part: `${round.code}.${p.code}` });
            continue;
          }
          const code = taken.length > 1 ? `${round.code}.${p.code}` : p.code;
          parts.push(gatePart(code, s, maxOf.get(p.id)!.hundredths));
          if (p.code === 'general_knowledge' && gk === null) gk = s;
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
      let failedComputer = false;
      for (const p of rankingRound.parts) {
        if (skipsPart(app, p.code, ruleSet)) continue;
        const s = scores[p.index];
        // Art. 16(4)(c): one below the part minimum in a computer written test sits no later part;
        // the ranking gate then fails them on that part (Art. 10(1)(a)) rather than calling them absent.
        if (s === undefined && failedComputer) continue;
        if (p.computer && s !== undefined && s >= 0 && percentMin !== null && !reachesPercent(s, maxOf.get(p.id)!.hundredths, percentMin)) failedComputer = true;
        if (s === undefined || s === ABSENT) {
          sat = false;
          shown.push({ code: p.code, score: null, max: p.maxScore, weight: p.weight });
          continue;
        }
        if (s === PENDING) {
          incomplete.push({ applicationId: app.id, part: `${rankingRound.code}.${p.code}` });
          sat = false;
          continue;
        }
        const max = maxOf.get(p.id)!;
        parts.push({ code: p.code, score: s, max: max.hundredths, written: p.written, weight: p.weight });
        shown.push({ code: p.code, score: formatScore(s), max: max.text, weight: p.weight });
      }
      if (sat && parts.length > 0) rankingRoundScore = { total: totalOn100(parts), parts };
    }
    explainParts.set(app.id, shown);

    const language = languageOf.get(app.quotaId);
    const languageOutcome = language ? foreignLanguageOutcome(app, language, languageRounds, maxOf, incomplete) : undefined;

    const score: ApplicationScore = {
      applicationId: app.id,
      quotaId: app.quotaId,
      candidateId: app.candidateId,
      choice: app.choice === 2 ? 2 : 1,
      exempt,
      gateRounds: gate,
      round1GeneralKnowledge: gk,
      rankingRound: rankingRoundScore,
      priorityPoints: app.priorityPoints,
      priorityCategory: app.priorityCategory,
    };
    if (languageOutcome) score.foreignLanguage = languageOutcome;
    if (app.agencyPreferences !== undefined) score.agencyPreferences = app.agencyPreferences;
    if (app.ethnicityCode !== undefined) score.ethnicityCode = app.ethnicityCode;
    return score;
  });

  return { applications, parts: explainParts };
}

/**
 * Decree 170/2025 Art. 9(5): an application of a quota requiring a foreign language passes when it
 * reached the quota's pass mark in every part of the foreign-language rounds it concerns; absent or
 * never issued is not passed (no exemption). Without such a round the condition is not yet examined
 * and nothing is decided here.
 */
function foreignLanguageOutcome(
  app: InputApplication,
  requirement: LanguageRequirement,
  rounds: readonly InputRound[],
  maxOf: ReadonlyMap<string, { hundredths: number; text: string }>,
  incomplete: Incomplete,
): ApplicationScore['foreignLanguage'] {
  const own = rounds.filter((r) => (r.grade === null || r.grade === (app.grade ?? null)) && examinesLanguage(r.language ?? null, requirement.language));
  if (own.length === 0) return undefined;
  let passed = true;
  const shown: { code: string; score: string | null; max: string }[] = [];
  for (const round of own) {
    for (const p of round.parts) {
      const s = app.scores[p.index];
      const max = maxOf.get(p.id)!;
      if (s === PENDING) {
        incomplete.push({ applicationId: app.id, part: `${round.code}.${p.code}` });
        continue;
      }
      const score = s === undefined || s === ABSENT ? null : s;
      shown.push({ code: p.code, score: score === null ? null : formatScore(score), max: max.text });
      if (!passesForeignLanguage(score, max.hundredths, requirement.passMark)) passed = false;
    }
  }
  return { passed, reason: passed ? '' : foreignLanguageFailure(requirement.language, requirement.passMark, shown) };
}

/**
 * Leadership input (2424/BNV-CCVC): part 1 the written exam, part 2 the action plan defended
 * before the council (the panel part). Scores are rescaled to 100. A round not yet revealed, or
 * a script not yet final, leaves the candidate pending; an absent script means did not sit.
 * Candidate discipline (Circular 22/2025 Nội quy Art. 2) applies as on recruitment drives: a
 * reprimand or warning deducts from the paper's final score, a suspension cancels that paper and
 * the later ones, a cancellation every paper (withDiscipline); `notes` receives what each act did.
 */
export function buildLeadershipInput(rounds: readonly InputRound[], given: readonly InputApplication[], notes: Map<string, string[]> = new Map()): LeadershipCandidate[] {
  const apps = given.map((a) => withDiscipline(a, rounds, notes));
  const ordered = [...rounds].sort((a, b) => a.order - b.order);
  const all = ordered.flatMap((r) => r.parts.map((p) => ({ round: r, part: p })));
  const written = all.find((x) => x.part.written);
  const actionPlan = all.find((x) => x !== written && (x.part.markingMode === 'panel' || x.part.code === 'action_plan'));

  const scoreOf = (app: InputApplication, x: (typeof all)[number] | undefined): number | null | undefined => {
    if (!x || !REVEALED.has(x.round.status)) return undefined;
    const s = app.scores[x.part.index];
    if (s === undefined || s === PENDING) return undefined;
    if (s === ABSENT) return null;
    return weightedTotalOn100([{ score: s, max: h(x.part.maxScore), weight: 1 }]);
  };

  return apps.map((app) => {
    const c: LeadershipCandidate = { applicationId: app.id, titleId: app.quotaId };
    const w = scoreOf(app, written);
    if (w !== undefined) c.written = w;
    const ap = scoreOf(app, actionPlan);
    if (ap !== undefined) c.actionPlanScore = ap;
    return c;
  });
}
