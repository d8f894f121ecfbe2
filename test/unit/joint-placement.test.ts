import { describe, expect, it } from 'vitest';
import { placeJointWinners, type JointPlacement } from '../../src/domain/joint-placement.js';
import { computeRecruitmentResults } from '../../src/domain/ranking.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { rankWithTieChain } from '../../src/domain/tie-chain.js';
import { app } from './fixtures.js';

type Cand = { id: string; score: number; written?: number; prefs: string[] };

/** Places candidates over agencies given as "A:1 B:2"; outcomes read "A", "A#2" (2nd preference), "reserve", "tied@A", "waiting@A". */
function place(agencySpec: string, cands: Cand[], decisions: { agency: string; order: string[] }[] = []): Record<string, string> {
  const agencies = agencySpec.split(' ').map((s) => {
    const [agencyId, slots] = s.split(':');
    return { agencyId: agencyId!, quotaId: `q${agencyId}`, slots: Number(slots) };
  });
  const groups = rankWithTieChain(cands, {
    id: (c) => c.id,
    score: (c) => c.score,
    chain: ['written_part', 'head_decision'],
    key: (c) => c.written,
  });
  const r = placeJointWinners({
    agencies,
    groups,
    id: (c) => c.id,
    preferences: (c) => c.prefs,
    decisions: decisions.map((d) => ({ quotaId: `q${d.agency}`, orderedIds: d.order })),
  });
  const show = (p: JointPlacement): string => {
    switch (p.kind) {
      case 'placed':
        return p.preference === 1 ? p.agencyId : `${p.agencyId}#${p.preference}`;
      case 'not_placed':
        return 'reserve';
      case 'tied':
        return `tied@${p.tie.agencyId}`;
      case 'waiting':
        return `waiting@${p.tie.agencyId}`;
    }
  };
  return Object.fromEntries(cands.map((c) => [c.id, show(r.placements.get(c.id)!)]));
}

const c = (id: string, score: number, prefs: string, written?: number): Cand => ({ id, score, prefs: prefs.split(''), ...(written === undefined ? {} : { written }) });

describe('placement at user agencies of a jointly recruited position (Decree 170/2025 Art. 10(3))', () => {
  it.each([
    {
      why: 'Art. 10(3): each winner goes to their first preference while it has a slot',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 90, 'A'), c('y', 80, 'B'), c('z', 70, 'C')],
      decisions: [],
      want: { x: 'A', y: 'B', z: 'C' },
    },
    {
      why: 'Art. 10(3): more winners ask for A than its slots: the higher score takes it, the other goes to their next preference',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 90, 'AB'), c('y', 85, 'AC'), c('z', 80, 'BA')],
      decisions: [],
      want: { x: 'A', y: 'C#2', z: 'B' },
    },
    {
      why: 'Art. 10(3): a winner whose accepted agencies are all full is not placed and stays on the next-lower list; the next one takes the slot left',
      agencies: 'A:1 B:1',
      cands: [c('x', 90, 'A'), c('y', 85, 'A'), c('z', 80, 'B'), c('w', 75, 'AB')],
      decisions: [],
      want: { x: 'A', y: 'reserve', z: 'B', w: 'reserve' },
    },
    {
      why: 'Art. 10(1)(b), 10(3): candidates beyond the position’s slots stay reserves',
      agencies: 'A:2',
      cands: [c('x', 90, 'A'), c('y', 85, 'A'), c('z', 80, 'A')],
      decisions: [],
      want: { x: 'A', y: 'A', z: 'reserve' },
    },
    {
      why: 'Art. 10(3) with 10(2)(b): equal results at A’s last slot are separated by the written part first',
      agencies: 'A:1 B:1',
      cands: [c('x', 80, 'AB', 70), c('y', 80, 'AB', 75)],
      decisions: [],
      want: { y: 'A', x: 'B#2' },
    },
    {
      why: 'Art. 10(3): equal results asking for different agencies with slots are both placed (no tie at a last slot)',
      agencies: 'A:1 B:1',
      cands: [c('x', 80, 'AB', 70), c('y', 80, 'BA', 70)],
      decisions: [],
      want: { x: 'A', y: 'B' },
    },
    {
      why: 'Art. 10(3), 10(2) last sentence: a tie at A’s last slot waits for the head; a later candidate who may lose B to the loser waits too',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 80, 'AB', 70), c('y', 80, 'AC', 70), c('z', 75, 'BC'), c('w', 70, 'D')],
      decisions: [],
      want: { x: 'tied@A', y: 'tied@A', z: 'waiting@A', w: 'reserve' },
    },
    {
      why: 'Art. 10(3): a later candidate whose first preference the tied ones never asked for is placed at once',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 80, 'A', 70), c('y', 80, 'AB', 70), c('z', 75, 'C')],
      decisions: [],
      want: { x: 'tied@A', y: 'tied@A', z: 'C' },
    },
    {
      why: 'Art. 10(2) last sentence: the head’s decision on A’s quota gives A to y; x goes on to B; z then takes C',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 80, 'AB', 70), c('y', 80, 'AC', 70), c('z', 75, 'BC')],
      decisions: [{ agency: 'A', order: ['y', 'x'] }],
      want: { y: 'A', x: 'B#2', z: 'C#2' },
    },
    {
      why: 'Art. 10(2) last sentence: the other order of the head gives B to z instead and y goes to C',
      agencies: 'A:1 B:1 C:1',
      cands: [c('x', 80, 'AB', 70), c('y', 80, 'AC', 70), c('z', 75, 'BC')],
      decisions: [{ agency: 'A', order: ['x', 'y'] }],
      want: { x: 'A', y: 'C#2', z: 'B' },
    },
  ])('$why', ({ agencies, cands, decisions, want }) => {
    expect(place(agencies, cands, decisions)).toEqual(want);
  });
});

describe('jointly recruited position through the results engine (Decree 170/2025 Art. 10(3))', () => {
  const nd170 = resolveRuleSet('nd170');
  const quotas = [
    { id: 'qA', slots: 1, agencyId: 'A', jointKey: 'p' },
    { id: 'qB', slots: 1, agencyId: 'B', jointKey: 'p' },
  ];
  const withPrefs = (a: ReturnType<typeof app>, prefs: string[]) => ({ ...a, agencyPreferences: prefs });

  it('Art. 10(3): rows stay under their own quota, winners carry the placed agency and a position-wide slot', () => {
    const res = computeRecruitmentResults({
      ruleSet: nd170,
      quotas,
      applications: [
        withPrefs(app('x', '90', { quotaId: 'qA' }), ['A', 'B']),
        withPrefs(app('y', '85', { quotaId: 'qA' }), ['A', 'B']),
        withPrefs(app('z', '80', { quotaId: 'qB' }), ['B']),
      ],
    });
    const qA = res.find((q) => q.quotaId === 'qA')!;
    const qB = res.find((q) => q.quotaId === 'qB')!;
    expect(qA.winners).toEqual(['x']);
    expect(qB.winners).toEqual(['y']);
    const y = qA.applications.find((a) => a.applicationId === 'y')!;
    expect(y.outcome).toBe('winner');
    expect(y.joint).toMatchObject({ placedAgencyId: 'B', placedQuotaId: 'qB', placedPreference: 2 });
    expect(qB.applications.find((a) => a.applicationId === 'z')!.outcome).toBe('reserve');
    expect(qA.jointSlots).toEqual({ rowSlots: 2, winnerSlots: { x: 1, y: 2 } });
    expect([qA.status, qB.status]).toEqual(['complete', 'complete']);
  });

  it('Art. 10(3), 10(2): a tie at A’s last slot makes A tie_pending_decision and the dependent quota awaiting_other_quota', () => {
    const res = computeRecruitmentResults({
      ruleSet: nd170,
      quotas,
      applications: [withPrefs(app('x', '80', { quotaId: 'qA' }), ['A', 'B']), withPrefs(app('y', '80', { quotaId: 'qA' }), ['A'])],
    });
    const qA = res.find((q) => q.quotaId === 'qA')!;
    const qB = res.find((q) => q.quotaId === 'qB')!;
    expect(qA.status).toBe('tie_pending_decision');
    expect(qA.tiedApplicationIds.sort()).toEqual(['x', 'y']);
    expect(qB.status).toBe('awaiting_other_quota');
  });
});
