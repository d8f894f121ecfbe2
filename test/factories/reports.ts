import { bearer, type TestApp } from '../helpers/app.js';
import { createRound, moveRound } from './rounds.js';
import { computeOk, openDriveWithQuotas, registerAll, round1, round2, scoredRound, toMarking, type ScoreRow } from './results.js';

/*
 * A small recruitment drive built through the API, with figures known by hand, for the report and
 * export tests. Quota 1 (3 slots): An and Bình pass both rounds and win, Cường fails round 1
 * (foreign language 10/30), Dung is absent from round 1. Quota 2 (1 slot): Em passes round 1 but
 * scores 40 in round 2 (below the gate of 50), Phương withdraws.
 */
export async function buildSmallDrive(t: TestApp, opts: { positionNames?: string[]; fullNames?: string[] } = {}) {
  const setup = await openDriveWithQuotas(t, { slots: [3, 1], ...(opts.positionNames ? { titles: opts.positionNames } : {}) });
  const [q1, q2] = setup.quotaIds as [string, string];
  const names = opts.fullNames ?? ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Vũ Thị Phương'];
  const quotaOf = [q1, q1, q1, q1, q2, q2];
  const apps = await registerAll(t, setup.driveId, names.map((fullName, i) => ({ fullName, quotaId: quotaOf[i]! })));
  const [a, b, c, d, e, f] = apps.map((x) => x.applicationId) as [string, string, string, string, string, string];

  for (const id of [a, b, c, e]) {
    const res = await t.http.post(`/v1/applications/${id}/eligibility`).set(bearer(t.adminKey)).send({ eligible: true });
    if (res.status !== 200) throw new Error(`eligibility: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const w = await t.http.post(`/v1/applications/${f}/withdraw`).set(bearer(t.adminKey)).send({ reason: 'Rút hồ sơ' });
  if (w.status !== 200) throw new Error(`withdraw: ${w.status} ${JSON.stringify(w.body)}`);

  await toMarking(t, setup.driveId);
  const r1: ScoreRow[] = [
    { applicationId: a, partCode: 'general_knowledge', correct: 45 },
    { applicationId: a, partCode: 'foreign_language', correct: 20 },
    { applicationId: b, partCode: 'general_knowledge', correct: 40 },
    { applicationId: b, partCode: 'foreign_language', correct: 25 },
    { applicationId: c, partCode: 'general_knowledge', correct: 40 },
    { applicationId: c, partCode: 'foreign_language', correct: 10 },
    { applicationId: d, partCode: 'general_knowledge', absent: true },
    { applicationId: d, partCode: 'foreign_language', absent: true },
    { applicationId: e, partCode: 'general_knowledge', correct: 31 },
    { applicationId: e, partCode: 'foreign_language', correct: 16 },
  ];
  const round1Id = await scoredRound(t, setup.driveId, round1(), r1);
  const round2Id = await scoredRound(t, setup.driveId, round2(), [
    { applicationId: a, partCode: 'professional', score: '80' },
    { applicationId: b, partCode: 'professional', score: '70.5' },
    { applicationId: e, partCode: 'professional', score: '40' },
    // Did not go on to round 2: every active application still needs its script recorded.
    { applicationId: c, partCode: 'professional', absent: true },
    { applicationId: d, partCode: 'professional', absent: true },
  ]);
  await computeOk(t, setup.driveId);
  return { ...setup, q1, q2, apps: { a, b, c, d, e, f }, round1Id, round2Id };
}

/**
 * A leadership drive: `withWinner` titles with two candidates where one passes, `withoutWinner`
 * where both fail the written gate, `notHeld` with one candidate, and `tied` titles whose two
 * candidates tie (pending the chair's decision). Results computed.
 */
export async function buildLeadershipDrive(
  t: TestApp,
  opts: { withWinner: number; withoutWinner: number; notHeld: number; tied: number },
) {
  const total = opts.withWinner + opts.withoutWinner + opts.notHeld + opts.tied;
  // Panel results are imported: the legacy path of the leadership rule set (leadership.panelScores: 'import').
  const setup = await openDriveWithQuotas(t, { kind: 'leadership', overrides: { leadership: { panelScores: 'import' } }, slots: Array.from({ length: total }, () => 1) });
  const kinds = [
    ...Array.from({ length: opts.withWinner }, () => 'winner' as const),
    ...Array.from({ length: opts.withoutWinner }, () => 'no_winner' as const),
    ...Array.from({ length: opts.notHeld }, () => 'not_held' as const),
    ...Array.from({ length: opts.tied }, () => 'tied' as const),
  ];
  const people = setup.quotaIds.flatMap((quotaId, i) =>
    kinds[i] === 'not_held'
      ? [{ fullName: `Đỗ Văn Hùng ${i}`, quotaId }]
      : [
          { fullName: `Ngô Thị Lan ${i}`, quotaId },
          { fullName: `Bùi Văn Nam ${i}`, quotaId },
        ],
  );
  const apps = await registerAll(t, setup.driveId, people);
  await toMarking(t, setup.driveId);
  const byQuota = new Map<string, string[]>();
  apps.forEach((a, i) => byQuota.set(people[i]!.quotaId, [...(byQuota.get(people[i]!.quotaId) ?? []), a.applicationId]));
  const written: ScoreRow[] = [];
  const plan: ScoreRow[] = [];
  setup.quotaIds.forEach((quotaId, i) => {
    const [x, y] = byQuota.get(quotaId) ?? [];
    if (kinds[i] === 'winner') {
      written.push({ applicationId: x!, partCode: 'written', score: '72' }, { applicationId: y!, partCode: 'written', score: '45' });
      plan.push({ applicationId: x!, partCode: 'action_plan', score: '80' }, { applicationId: y!, partCode: 'action_plan', absent: true });
    } else if (kinds[i] === 'no_winner') {
      written.push({ applicationId: x!, partCode: 'written', score: '30' }, { applicationId: y!, partCode: 'written', score: '42' });
      plan.push({ applicationId: x!, partCode: 'action_plan', absent: true }, { applicationId: y!, partCode: 'action_plan', absent: true });
    } else if (kinds[i] === 'tied') {
      written.push({ applicationId: x!, partCode: 'written', score: '70' }, { applicationId: y!, partCode: 'written', score: '70' });
      plan.push({ applicationId: x!, partCode: 'action_plan', score: '75' }, { applicationId: y!, partCode: 'action_plan', score: '75' });
    } else {
      written.push({ applicationId: x!, partCode: 'written', absent: true });
      plan.push({ applicationId: x!, partCode: 'action_plan', absent: true });
    }
  });
  await scoredRound(t, setup.driveId, writtenRound(), written);
  const r2 = await createRound(t, setup.driveId, actionPlanRound());
  await moveRound(t, r2.id, 'marking');
  if (plan.length > 0) {
    const res = await t.http.put(`/v1/rounds/${r2.id}/scores?atomic=true`).set(bearer(t.adminKey)).send(plan);
    if (res.status !== 200) throw new Error(`scores: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await moveRound(t, r2.id, 'locked');
  const rev = await t.http.post(`/v1/rounds/${r2.id}/reveal`).set(bearer(t.adminKey));
  if (rev.status !== 200) throw new Error(`reveal: ${rev.status} ${JSON.stringify(rev.body)}`);
  await computeOk(t, setup.driveId);
  return setup;
}

export const writtenRound = () => ({
  order: 1,
  code: 'written',
  name: 'Phần 1 — thi viết',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single' as const, written: true }],
});

export const actionPlanRound = () => ({
  order: 2,
  code: 'action_plan',
  name: 'Phần 2 — trình bày đề án',
  kind: 'scored' as const,
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'action_plan', name: 'Đề án', maxScore: '100', weight: 1, markingMode: 'panel' as const, panelSize: 5, written: false }],
});
