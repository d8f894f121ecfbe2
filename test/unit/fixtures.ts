import { parseScore } from '../../src/domain/decimal.js';
import type { ApplicationScore, RankingPart } from '../../src/domain/ranking.js';

/** '78.50' → 7850, so the tables read like the score sheets. */
export const pts = (s: string): number => parseScore(s);

export interface AppOptions {
  quotaId?: string;
  choice?: 1 | 2;
  candidateId?: string;
  priority?: string;
  priorityCategory?: string;
  gk?: string;
  parts?: RankingPart[];
  exempt?: boolean;
  gateRounds?: ApplicationScore['gateRounds'];
}

/** An application scoring `raw` in the ranking round (null = absent). */
export function app(id: string, raw: string | null, o: AppOptions = {}): ApplicationScore {
  const a: ApplicationScore = {
    applicationId: id,
    quotaId: o.quotaId ?? 'q1',
    choice: o.choice ?? 1,
    rankingRound: raw === null ? null : { total: pts(raw), parts: o.parts ?? [] },
    priorityPoints: o.priority ? pts(o.priority) : 0,
    priorityCategory: o.priorityCategory ?? null,
  };
  if (o.candidateId !== undefined) a.candidateId = o.candidateId;
  if (o.gk !== undefined) a.round1GeneralKnowledge = pts(o.gk);
  if (o.exempt !== undefined) a.exempt = o.exempt;
  if (o.gateRounds !== undefined) a.gateRounds = o.gateRounds;
  return a;
}

export function part(code: string, score: string, written: boolean, max = '100'): RankingPart {
  return { code, score: pts(score), max: pts(max), written, weight: 1 };
}

/** Small deterministic PRNG (mulberry32) for property-style loops. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
