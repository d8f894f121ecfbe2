import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { openDriveWithQuotas, registerAll, toMarking } from '../factories/results.js';
import { createRound, issueScripts, moveRound, writtenPart } from '../factories/rounds.js';

/*
 * Anonymity that holds (DOMAIN.md "Anonymous marking"; Circular 22/2025 Quy chế Art. 15(3), 17(7)):
 * before the reveal nothing a council, organizer or marker key can read links a code to a person —
 * not ids, not the order of ids, codes or creation, not the absence flag.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const N = 10;

describe('anonymity before the reveal', () => {
  it('when every response a council, organizer or marker key can read is gathered, then none links a code to an application, by content, order or absence', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd170', slots: [2] });
    // Registered one after the other: application ids (v7) and candidate numbers follow this order.
    const registered = await registerAll(
      t,
      driveId,
      Array.from({ length: N }, (_, i) => ({ fullName: `Ngô Văn Ẩn Danh ${String.fromCharCode(65 + i)}`, quotaId: quotaIds[0]! })),
    );
    const appIds = registered.map((r) => r.applicationId);
    await toMarking(t, driveId);
    const round = await createRound(t, driveId, { parts: [writtenPart('written')] });
    await issueScripts(t, round.id);
    await moveRound(t, round.id, 'marking');
    // The invigilators' minute records one candidate absent.
    const absentApp = appIds[3]!;
    await t.sql("update scripts set absent = true, status = 'final', final_rule = 'absent' where round_id = $1 and application_id = $2", [round.id, absentApp]);

    const truth = await t.sql<{ id: string; code: string; application_id: string; created_at: Date }>('select id, code, application_id, created_at from scripts where round_id = $1', [round.id]);
    expect(truth).toHaveLength(N);
    const apps = await t.sql<{ id: string; candidate_id: string; candidate_number: string; created_at: Date }>(
      'select id, candidate_id, candidate_number, created_at from applications where drive_id = $1',
      [driveId],
    );
    const personMarks = apps.flatMap((a) => [a.id, a.candidate_id, a.candidate_number]);
    const codeOf = new Map(truth.map((s) => [s.application_id, s.code]));
    const absentCode = codeOf.get(absentApp)!;

    // Ids are random (v4), never time-ordered; created in one statement (one instant), in a shuffled order.
    for (const s of truth) expect(s.id[14]).toBe('4');
    expect(new Set(truth.map((s) => String(s.created_at))).size).toBe(1);
    const appOrder = [...apps].sort((a, b) => (a.id < b.id ? -1 : 1)).map((a) => a.id);
    expect(appOrder).toEqual(appIds);
    const byScriptId = [...truth].sort((a, b) => (a.id < b.id ? -1 : 1)).map((s) => s.application_id);
    const byCode = [...truth].sort((a, b) => (a.code < b.code ? -1 : 1)).map((s) => s.application_id);
    // A shuffled order matches the applications' by chance with probability 1/10! each.
    expect(byScriptId).not.toEqual(appIds);
    expect(byCode).not.toEqual(appIds);

    const readers = { council: await t.keyFor('council'), organizer: await t.keyFor('organizer'), marker: await t.keyFor('marker') };
    const paths = [
      `/v1/drives/${driveId}`,
      `/v1/drives/${driveId}/rounds`,
      `/v1/rounds/${round.id}`,
      `/v1/rounds/${round.id}/scripts?limit=200`,
      `/v1/rounds/${round.id}/scripts?limit=3`,
      `/v1/rounds/${round.id}/reconciliation`,
      `/v1/drives/${driveId}/applications?limit=200`,
      ...appIds.map((id) => `/v1/applications/${id}`),
      ...appIds.map((id) => `/v1/applications/${id}/appeals`),
      `/v1/drives/${driveId}/results`,
      `/v1/drives/${driveId}/timeline`,
    ];
    let read = 0;
    for (const [role, key] of Object.entries(readers)) {
      for (const path of paths) {
        const res = await t.http.get(path).set(bearer(key));
        if (res.status !== 200) continue;
        read++;
        const body = JSON.stringify(res.body);
        // Whole JSON string values: a short candidate number may occur by chance inside a random id.
        const codes = truth.map((s) => s.code).filter((c) => body.includes(JSON.stringify(c)));
        const people = personMarks.filter((p) => body.includes(JSON.stringify(p)));
        // A response names codes or people, never both.
        expect(codes.length === 0 || people.length === 0, `${role} GET ${path} pairs codes with people`).toBe(true);
        // The absent candidate's script is not in the coded pile before the reveal.
        expect(body.includes(JSON.stringify(absentCode)), `${role} GET ${path} shows the absent script`).toBe(false);
        expect(body.includes('"absent":true'), `${role} GET ${path} shows an absence flag`).toBe(false);
        expect(/"(createdAt|created_at)"/.test(body) && codes.length > 0, `${role} GET ${path} times a script`).toBe(false);
      }
    }
    expect(read).toBeGreaterThan(10);

    // Paging by code keeps working and lists every present script once.
    const seen: string[] = [];
    let next: string | null = `/v1/rounds/${round.id}/scripts?limit=3`;
    while (next) {
      const res: { status: number; body: { items: { code: string }[]; nextCursor: string | null } } = await t.http.get(next).set(bearer(readers.council));
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s) => s.code));
      next = res.body.nextCursor ? `/v1/rounds/${round.id}/scripts?limit=3&cursor=${encodeURIComponent(res.body.nextCursor)}` : null;
    }
    expect(seen).toEqual(truth.filter((s) => s.application_id !== absentApp).map((s) => s.code).sort());

    // The anonymisation board (who made the codes) still sees every script, the absent one too.
    const board = await t.http.get(`/v1/rounds/${round.id}/scripts?limit=200`).set(bearer(await t.keyFor('anonymizer')));
    expect(board.body.items).toHaveLength(N);
  });
});
