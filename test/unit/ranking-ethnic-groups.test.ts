import { describe, expect, it } from 'vitest';
import { computeRecruitmentResults, type ApplicationScore } from '../../src/domain/ranking.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';
import { app } from './fixtures.js';

const nd170 = resolveRuleSet('nd170');
const of = (id: string, raw: string, code: string): ApplicationScore => ({ ...app(id, raw), ethnicityCode: code });

/** Codes from src/domain/ethnicity.ts: 02 Tày, 03 Thái, 04 Hoa. */
function run(slots: number, groups: { code: string; slots: number | null }[], apps: ApplicationScore[], decisions: string[][] = []) {
  const [q] = computeRecruitmentResults({
    ruleSet: nd170,
    quotas: [{ id: 'q1', slots, ethnicGroups: groups }],
    applications: apps,
    tieDecisions: decisions.map((d) => ({ quotaId: 'q1', orderedApplicationIds: d })),
  });
  return { q: q!, outcomes: Object.fromEntries(q!.applications.map((a) => [a.applicationId, a.outcome])) };
}

describe('per-group slots of a reserved quota are respected by the ranking (Decree 170/2025 Art. 3(2)(c))', () => {
  it.each([
    {
      why: 'Art. 3(2)(c): Tày has 1 slot; the second Tày is passed over and the next passer (Thái) wins',
      slots: 2,
      groups: [{ code: '02', slots: 1 }, { code: '03', slots: 1 }],
      apps: [of('a', '90', '02'), of('b', '85', '02'), of('c', '70', '03')],
      want: { a: 'winner', b: 'reserve', c: 'winner' },
    },
    {
      why: 'Art. 3(2)(c): a group without slots set (null) is not limited',
      slots: 2,
      groups: [{ code: '02', slots: null }, { code: '03', slots: 1 }],
      apps: [of('a', '90', '02'), of('b', '85', '02'), of('c', '70', '03')],
      want: { a: 'winner', b: 'winner', c: 'reserve' },
    },
    {
      why: 'Art. 3(2)(c): with every group full the remaining slot stays unfilled rather than taking a passed-over candidate',
      slots: 3,
      groups: [{ code: '02', slots: 1 }, { code: '03', slots: 1 }],
      apps: [of('a', '90', '02'), of('b', '85', '02'), of('c', '70', '03')],
      want: { a: 'winner', b: 'reserve', c: 'winner' },
    },
    {
      why: 'Art. 3(2)(c), Art. 10(2): two equal Tày for its one slot are a tie for the head; the Thái below still wins',
      slots: 2,
      groups: [{ code: '02', slots: 1 }, { code: '03', slots: 1 }],
      apps: [of('a', '80', '02'), of('b', '80', '02'), of('c', '70', '03')],
      want: { a: 'tied_pending', b: 'tied_pending', c: 'winner' },
    },
  ])('$why', ({ slots, groups, apps, want }) => {
    expect(run(slots, groups, apps).outcomes).toEqual(want);
  });

  it('Art. 3(2)(c), Art. 10(2): the head’s order on the Tày tie gives the slot to the first; the other is passed over', () => {
    const { q, outcomes } = run(2, [{ code: '02', slots: 1 }, { code: '03', slots: 1 }], [of('a', '80', '02'), of('b', '80', '02'), of('c', '70', '03')], [['b', 'a']]);
    expect(outcomes).toEqual({ b: 'winner', a: 'reserve', c: 'winner' });
    expect(q.applications.find((x) => x.applicationId === 'a')!.explanation).toContain('Art. 3(2)(c)');
  });

  it('Art. 3(2)(c): a quota without per-group slots ranks on score alone', () => {
    expect(run(2, [], [of('a', '90', '02'), of('b', '85', '02'), of('c', '70', '03')]).outcomes).toEqual({ a: 'winner', b: 'winner', c: 'reserve' });
  });
});
