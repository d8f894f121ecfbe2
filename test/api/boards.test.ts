import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { CONCURRENCY_SKIP_REASON, onPostgres } from '../helpers/env.js';
import { appoint, decision, formCouncil, memberKey, seat } from '../factories/boards.js';
import { createCandidate, createOpenDriveNow, makeNationalId, register } from '../factories/candidates.js';
import { codesOf, createRound, issueScripts, moveRound, putMarks } from '../factories/rounds.js';
import { computeOk, openDriveWithQuotas, registerAll, round2, scoredRound, toMarking } from '../factories/results.js';

/*
 * The people behind every exam act (issue 13): 170 Art. 8 and 14(3); Circular 22/2025 Quy chế
 * Art. 20, 22 and 23; DOMAIN.md "Who decides".
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

/** An open drive (window around today) with `count` candidates registered through the API and a double-marked round in marking. */
async function markingDrive(count = 2) {
  const drive = await createOpenDriveNow(t);
  const people = [];
  for (let i = 0; i < count; i++) {
    const c = await createCandidate(t, { fullName: `Phạm Thị Dự Tuyển ${i}` });
    const res = await register(t, drive.driveId, { candidateId: c.id, quotaId: drive.quotaId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    people.push({ ...c, applicationId: res.body.id as string });
  }
  const round = await createRound(t, drive.driveId);
  await issueScripts(t, round.id);
  await moveRound(t, round.id, 'marking');
  const codes = await codesOf(t, round.id);
  return { ...drive, people, round, codes: people.map((p) => codes.get(p.applicationId)!) };
}

/** A drive in marking whose council and marking board (three members, the first its head) are seated, with keys. */
async function boardedDrive(count = 2) {
  const d = await markingDrive(count);
  const { head, chair } = await formCouncil(t, d.driveId);
  const markers = [];
  for (const [i, name] of ['Trần Văn Chấm Một', 'Lê Thị Chấm Hai', 'Đỗ Văn Chấm Ba'].entries()) {
    const m = await seat(t, d.driveId, 'marking', { fullName: name, seat: i === 0 ? 'head' : 'member', nationalId: makeNationalId({ birthYear: 1980 }) });
    markers.push({ ...m, key: await memberKey(t, d.driveId, m.id) });
  }
  return { ...d, head, chair, markers };
}

const auditOf = (action: string, driveId: string) =>
  t.sql<{ on_behalf_of: string | null; after: Record<string, unknown> }>('select on_behalf_of, after from audit_events where action = $1 and drive_id = $2 order by seq', [action, driveId]);

describe('people and boards (170 Art. 8; Quy chế Art. 23)', () => {
  it('when the council and boards are seated, then each seat records who appointed it and the decision; the list groups them by board', async () => {
    const d = await markingDrive(0);
    const { head, chair } = await formCouncil(t, d.driveId);
    const early = await appoint(t, d.driveId, 'supervision', {});
    expect(early.status).toBe(201);
    const marker = await seat(t, d.driveId, 'marking', { fullName: 'Vũ Văn Chấm', nationalId: makeNationalId() });
    const list = await t.http.get(`/v1/drives/${d.driveId}/boards`).set(bearer(t.adminKey));
    expect(list.status).toBe(200);
    const byBoard = Object.fromEntries(list.body.boards.map((b: { board: string; members: unknown[] }) => [b.board, b.members]));
    expect(Object.keys(byBoard)).toEqual(['agency_head', 'council', 'marking', 'supervision']);
    expect(byBoard.council[0]).toMatchObject({ id: chair.id, appointedByMemberId: head.id, seat: 'head', decision: { date: '2025-06-01' } });
    expect(byBoard.marking[0]).toMatchObject({ id: marker.id, appointedByMemberId: chair.id });
    expect(byBoard.marking[0].nationalIdMasked).toMatch(/\*/);
    expect(byBoard.supervision[0].appointedByMemberId).toBe(head.id);
    // The council forms boards: one that is not the chair cannot be named as the appointer.
    const wrong = await appoint(t, d.driveId, 'marking', { appointedByMemberId: marker.id });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe('board.appointer_invalid');
  });

  it('when no head is recorded, then the council cannot be seated; a disciplined person cannot take any seat', async () => {
    const d = await markingDrive(0);
    const noHead = await appoint(t, d.driveId, 'council', { seat: 'head' });
    expect(noHead.status).toBe(422);
    expect(noHead.body.code).toBe('board.head_not_recorded');
    await formCouncil(t, d.driveId);
    for (const discipline of ['under_discipline', 'corruption', 'personnel_violation']) {
      const res = await appoint(t, d.driveId, 'marking', { discipline });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('board.member_disciplined');
    }
  });

  it('when a member has a declared relative among the candidates, then the seat is refused (422 board.member_related_to_candidate)', async () => {
    const d = await markingDrive(1);
    await formCouncil(t, d.driveId);
    const res = await appoint(t, d.driveId, 'marking', { relatives: [{ relationship: 'child', nationalId: d.people[0]!.nationalId }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('board.member_related_to_candidate');
    expect(res.body.applicationIds).toEqual([d.people[0]!.applicationId]);
    const sup = await appoint(t, d.driveId, 'supervision', { relatives: [{ relationship: 'sibling_in_law', nationalId: d.people[0]!.nationalId }] });
    expect(sup.body.code).toBe('board.member_related_to_candidate');
    // Nothing of the relative's national ID is stored but the blind index and the mask.
    const leaked = await t.sql(`select 1 from member_relatives r where r.national_id_masked = $1`, [d.people[0]!.nationalId]);
    expect(leaked).toEqual([]);
  });

  it('when a supervision-board member is seated on a board, then 409 board.supervision_exclusive; the supervisor reads the drive but writes nothing except its report', async () => {
    const d = await markingDrive(1);
    await formCouncil(t, d.driveId);
    const nationalId = makeNationalId({ birthYear: 1975 });
    const sup = await seat(t, d.driveId, 'supervision', { fullName: 'Hoàng Văn Giám Sát', seat: 'head', nationalId });
    const onBoard = await appoint(t, d.driveId, 'marking', { fullName: 'Hoàng Văn Giám Sát', nationalId });
    expect(onBoard.status).toBe(409);
    expect(onBoard.body.code).toBe('board.supervision_exclusive');
    const onCouncil = await appoint(t, d.driveId, 'council', { fullName: 'Hoàng Văn Giám Sát', nationalId });
    expect(onCouncil.body.code).toBe('board.supervision_exclusive');

    const key = await memberKey(t, d.driveId, sup.id);
    const apps = await t.http.get(`/v1/drives/${d.driveId}/applications`).set(bearer(key));
    expect(apps.status).toBe(200);
    expect(apps.body.items).toHaveLength(1);
    const scripts = await t.http.get(`/v1/rounds/${d.round.id}/scripts`).set(bearer(key));
    expect(scripts.status).toBe(200);
    // Before the reveal the supervisor never sees which application a code belongs to.
    expect(JSON.stringify(scripts.body)).not.toContain(d.people[0]!.applicationId);
    const mark = await putMarks(t, d.round.id, key, [{ code: d.codes[0]!, slot: '1', score: '50' }]);
    expect(mark.status).toBe(403);
    expect(mark.body.code).toBe('supervision.read_only');
    const decide = await t.http.post(`/v1/applications/${d.people[0]!.applicationId}/eligibility`).set(bearer(key)).send({ eligible: false, reasons: [] });
    expect(decide.status).toBe(403);
    expect(decide.body.code).toBe('supervision.read_only');
    const report = await t.http.post(`/v1/drives/${d.driveId}/supervision-reports`).set(bearer(key)).send({ summary: 'Kỳ thi diễn ra đúng quy chế', findings: [] });
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    expect(report.body.memberId).toBe(sup.id);
    // Scoped to its drive: another drive reads as not found; routes not about one drive are refused.
    const other = await markingDrive(0);
    expect((await t.http.get(`/v1/drives/${other.driveId}/applications`).set(bearer(key))).status).toBe(404);
    expect((await t.http.get('/v1/agencies').set(bearer(key))).body.code).toBe('member_key.outside_drive');
    // The supervisor role is only ever a member's.
    const plain = await t.http.post('/v1/api-keys').set(bearer(t.adminKey)).send({ name: 'giám sát', role: 'supervisor' });
    expect(plain.status).toBe(422);
    expect(plain.body.code).toBe('api_key.member_role');
    // A role key cannot file the board's report.
    const byAdmin = await t.http.post(`/v1/drives/${d.driveId}/supervision-reports`).set(bearer(t.adminKey)).send({ summary: 'x' });
    expect(byAdmin.status).toBe(403);
  });
});

describe('the supervision board at the reveal (Quy chế Art. 23(4)(b))', () => {
  it('when the round is locked, then a supervisor cannot reveal it; once the council has, the supervisor sees the code↔application map', async () => {
    const d = await boardedDrive(1);
    const sup = await seat(t, d.driveId, 'supervision', { fullName: 'Đinh Thị Giám Sát' });
    const supKey = await memberKey(t, d.driveId, sup.id);
    await putMarks(t, d.round.id, d.markers[0]!.key, [{ code: d.codes[0]!, slot: '1', score: '60' }]);
    await putMarks(t, d.round.id, d.markers[1]!.key, [{ code: d.codes[0]!, slot: '2', score: '62' }]);
    await moveRound(t, d.round.id, 'locked');
    const early = await t.http.post(`/v1/rounds/${d.round.id}/reveal`).set(bearer(supKey));
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('supervision.read_only');
    const chairKey = await memberKey(t, d.driveId, d.chair.id);
    expect((await t.http.post(`/v1/rounds/${d.round.id}/reveal`).set(bearer(chairKey))).status).toBe(200);
    const attended = await t.http.post(`/v1/rounds/${d.round.id}/reveal`).set(bearer(supKey));
    expect(attended.status).toBe(200);
    expect(JSON.stringify(attended.body)).toContain(d.people[0]!.applicationId);
    const scripts = await t.http.get(`/v1/rounds/${d.round.id}/scripts`).set(bearer(supKey));
    expect(scripts.body.items[0].applicationId).toBe(d.people[0]!.applicationId);
  });
});

describe('marks by named members (Quy chế Art. 22; DOMAIN.md "Anonymous marking")', () => {
  it('when the same member enters slots 1 and 2 of one script, or the third mark after marking it, then 409 mark.same_marker; the council sees who marked each slot', async () => {
    const d = await boardedDrive(1);
    const [m1, m2, m3] = d.markers as [(typeof d.markers)[0], (typeof d.markers)[0], (typeof d.markers)[0]];
    const code = d.codes[0]!;
    expect((await putMarks(t, d.round.id, m1.key, [{ code, slot: '1', score: '60' }])).status).toBe(200);
    const twice = await putMarks(t, d.round.id, m1.key, [{ code, slot: '2', score: '61' }]);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('mark.same_marker');
    const second = await putMarks(t, d.round.id, m2.key, [{ code, slot: '2', score: '75' }]);
    expect(second.body.rows[0].scriptStatus).toBe('escalated');
    for (const k of [m1.key, m2.key]) {
      const third = await putMarks(t, d.round.id, k, [{ code, slot: '3', score: '66' }]);
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('mark.same_marker');
    }
    const third = await putMarks(t, d.round.id, m3.key, [{ code, slot: '3', score: '66' }]);
    expect(third.body.rows[0].scriptStatus).toBe('final');

    const view = await t.http.get(`/v1/rounds/${d.round.id}/scripts`).set(bearer(await t.keyFor('council')));
    const marks = view.body.items[0].marks as { slot: string; markedBy: { memberId: string; fullName: string } }[];
    expect(marks.map((m) => [m.slot, m.markedBy.memberId])).toEqual([
      ['1', m1.id],
      ['2', m2.id],
      ['3', m3.id],
    ]);
    const audit = await auditOf('marks.entered', d.driveId);
    // Each audited batch names its member (streams are independent chains: compare as sets).
    expect(audit.map((a) => a.on_behalf_of).sort()).toEqual([m1, m2, m3].map((m) => `member:${m.id} ${m.fullName}`).sort());
    expect(audit.map((a) => (a.after.member as { id: string }).id).sort()).toEqual([m1.id, m2.id, m3.id].sort());
  });

  it("when a role key sends On-Behalf-Of naming a member, then the mark is refused: a portal key 403, a marker key 403 member.key_required", async () => {
    const d = await boardedDrive(1);
    const member = d.markers[0]!;
    const portal = await t.http
      .put(`/v1/rounds/${d.round.id}/marks`)
      .set(bearer(await t.keyFor('registrar')))
      .set('on-behalf-of', encodeURIComponent(member.fullName))
      .send([{ code: d.codes[0]!, slot: '1', score: '50' }]);
    expect(portal.status).toBe(403);
    const marker = await t.http
      .put(`/v1/rounds/${d.round.id}/marks`)
      .set(bearer(await t.keyFor('marker')))
      .set('on-behalf-of', encodeURIComponent(`member:${member.id} ${member.fullName}`))
      .send([{ code: d.codes[0]!, slot: '1', score: '50' }]);
    expect(marker.status).toBe(403);
    expect(marker.body.code).toBe('member.key_required');
    expect(await t.sql('select 1 from marks m join scripts s on s.id = m.script_id where s.round_id = $1', [d.round.id])).toEqual([]);
    // A council member's key is not a marker either.
    const councilKey = await memberKey(t, d.driveId, d.chair.id);
    const byChair = await putMarks(t, d.round.id, councilKey, [{ code: d.codes[0]!, slot: '1', score: '50' }]);
    expect(byChair.status).toBe(403);
  });

  it('when the drive records its boards, then an eligibility decision needs a council or form-check member’s key', async () => {
    const d = await boardedDrive(1);
    const url = `/v1/applications/${d.people[0]!.applicationId}/eligibility`;
    const body = { eligible: true, reasons: [] };
    const byRole = await t.http.post(url).set(bearer(await t.keyFor('council'))).set('on-behalf-of', 'Chairman').send(body);
    expect(byRole.status).toBe(403);
    expect(byRole.body.code).toBe('member.key_required');
    const byMarker = await t.http.post(url).set(bearer(d.markers[0]!.key)).send(body);
    expect(byMarker.status).toBe(403);
    const checker = await seat(t, d.driveId, 'form_check', { fullName: 'Mai Thị Kiểm Tra' });
    const res = await t.http.post(url).set(bearer(await memberKey(t, d.driveId, checker.id))).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('eligible');
  });

  it('when a drive records no boards, then role keys mark as before, but one key still cannot hold two slots of a script', async () => {
    const d = await markingDrive(1);
    const [k1, k2] = [await t.keyFor('marker'), await t.keyFor('marker')];
    expect((await putMarks(t, d.round.id, k1, [{ code: d.codes[0]!, slot: '1', score: '60' }])).status).toBe(200);
    expect((await putMarks(t, d.round.id, k1, [{ code: d.codes[0]!, slot: '2', score: '60' }])).body.code).toBe('mark.same_marker');
    expect((await putMarks(t, d.round.id, k2, [{ code: d.codes[0]!, slot: '2', score: '61' }])).body.rows[0].scriptStatus).toBe('final');
  });

  it('when a reconciliation decision comes from a plain marker of the board, then 403 member.wrong_seat; its head decides', async () => {
    const d = await boardedDrive(1);
    const [m1, m2, m3] = d.markers as [(typeof d.markers)[0], (typeof d.markers)[0], (typeof d.markers)[0]];
    await putMarks(t, d.round.id, m2.key, [{ code: d.codes[0]!, slot: '1', score: '60' }]);
    await putMarks(t, d.round.id, m3.key, [{ code: d.codes[0]!, slot: '2', score: '67' }]);
    const body = { decisions: [{ code: d.codes[0]!, score: '64', reason: 'Trưởng ban chấm thi quyết định sau khi trao đổi' }] };
    const byMember = await t.http.post(`/v1/rounds/${d.round.id}/reconciliation`).set(bearer(m2.key)).send(body);
    expect(byMember.status).toBe(403);
    expect(byMember.body.code).toBe('member.wrong_seat');
    const byRole = await t.http.post(`/v1/rounds/${d.round.id}/reconciliation`).set(bearer(await t.keyFor('council'))).send(body);
    expect(byRole.body.code).toBe('member.key_required');
    const byHead = await t.http.post(`/v1/rounds/${d.round.id}/reconciliation`).set(bearer(m1.key)).send(body);
    expect(byHead.status, JSON.stringify(byHead.body)).toBe(200);
  });

  it.skipIf(!onPostgres)(`when two members race for one slot, then exactly one wins (${CONCURRENCY_SKIP_REASON})`, async () => {
    const d = await boardedDrive(1);
    const results = await Promise.all(d.markers.map((m, i) => putMarks(t, d.round.id, m.key, [{ code: d.codes[0]!, slot: '1', score: String(50 + i) }])));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'mark.slot_taken')).toBe(true);
    const rows = await t.sql<{ member_id: string }>('select m.member_id from marks m join scripts s on s.id = m.script_id where s.code = $1', [d.codes[0]!]);
    expect(rows).toHaveLength(1);
    const winner = d.markers[results.findIndex((r) => r.status === 200)]!;
    expect(rows[0]!.member_id).toBe(winner.id);
  });
});

describe('conflicts of interest (170 Art. 8(3); Quy chế Art. 23(7))', () => {
  it('when a declared relative registers later, then a conflict is raised; removing the member voids their marks and another member re-marks', async () => {
    const d = await boardedDrive(1);
    const [m1, m2, m3] = d.markers as [(typeof d.markers)[0], (typeof d.markers)[0], (typeof d.markers)[0]];
    const relativeId = makeNationalId({ birthYear: 2001 });
    const declared = await t.http
      .post(`/v1/drives/${d.driveId}/boards/members/${m2.id}/relatives`)
      .set(bearer(m2.key))
      .send({ relationship: 'child', nationalId: relativeId });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    expect(declared.body.conflicts).toEqual([]);
    expect(declared.body.relative.nationalIdMasked).not.toBe(relativeId);
    await putMarks(t, d.round.id, m1.key, [{ code: d.codes[0]!, slot: '1', score: '70' }]);
    expect((await putMarks(t, d.round.id, m2.key, [{ code: d.codes[0]!, slot: '2', score: '72' }])).body.rows[0].scriptStatus).toBe('final');

    const relative = await createCandidate(t, { fullName: 'Trần Văn Con', nationalId: relativeId, birthDate: '2001-03-03' });
    const late = await register(t, d.driveId, { candidateId: relative.id, quotaId: d.quotaId });
    expect(late.status).toBe(201);
    const conflicts = await t.http.get(`/v1/drives/${d.driveId}/boards/conflicts`).set(bearer(t.adminKey));
    expect(conflicts.body.items).toEqual([expect.objectContaining({ memberId: m2.id, applicationId: late.body.id, status: 'open', source: 'national_id' })]);
    expect(await auditOf('board.conflict_raised', d.driveId)).toHaveLength(1);

    const removed = await t.http
      .post(`/v1/drives/${d.driveId}/boards/members/${m2.id}/removal`)
      .set(bearer(t.adminKey))
      .send({ decision: decision('77/QĐ-HĐTD'), reason: 'Có con đăng ký dự tuyển' });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ marksVoided: 1, keysRevoked: 1, conflictsResolved: 1 });
    const script = await t.sql<{ status: string; final_score: string | null }>('select status, final_score from scripts where code = $1', [d.codes[0]!]);
    expect(script[0]).toEqual({ status: 'awaiting_marks', final_score: null });
    expect((await putMarks(t, d.round.id, m2.key, [{ code: d.codes[0]!, slot: '2', score: '72' }])).status).toBe(401);
    const redo = await putMarks(t, d.round.id, m3.key, [{ code: d.codes[0]!, slot: '2', score: '71' }]);
    expect(redo.body.rows[0]).toMatchObject({ status: 'saved', scriptStatus: 'final' });
    const voided = await t.sql<{ member_id: string; score: string }>('select member_id, score from voided_marks v join scripts s on s.id = v.script_id where s.code = $1', [d.codes[0]!]);
    expect(voided).toEqual([{ member_id: m2.id, score: '72.00' }]);
    const history = await t.sql<{ rule: string }>('select rule from score_history h join scripts s on s.id = h.script_id where s.code = $1 order by h.at', [d.codes[0]!]);
    expect(history.map((h) => h.rule)).toEqual(['average', 'marks_voided', 'average']);
    expect(await auditOf('board.member_removed', d.driveId)).toHaveLength(1);
  });
});

describe('conflicts raised by a bulk import', () => {
  it('when an imported row is a declared relative of a member, then the conflict is raised in the import’s transaction', async () => {
    const d = await markingDrive(0);
    await formCouncil(t, d.driveId);
    const member = await seat(t, d.driveId, 'marking', { fullName: 'Bùi Văn Chấm' });
    const relativeId = makeNationalId({ birthYear: 1999, female: true });
    await t.http.post(`/v1/drives/${d.driveId}/boards/members/${member.id}/relatives`).set(bearer(t.adminKey)).send({ relationship: 'sibling', nationalId: relativeId });
    const csv = [
      'fullName,nationalId,birthDate,gender,ethnicity,nationality,email,phone,address,quotaId,priorityCategory,evidenceRef',
      `Bùi Thị Em,${relativeId},1999-04-04,female,Kinh,VN,,,,${d.quotaId},,`,
    ].join('\n');
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .set('content-type', 'text/csv; charset=utf-8')
      .send(Buffer.from(csv, 'utf8'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const conflicts = await t.http.get(`/v1/drives/${d.driveId}/boards/conflicts`).set(bearer(t.adminKey));
    expect(conflicts.body.items).toEqual([expect.objectContaining({ memberId: member.id, status: 'open' })]);
  });
});

describe("the head's decisions (170 Art. 10(2), 12(2); DOMAIN.md \"Who decides\")", () => {
  async function tiedDrive() {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
    const quotaId = quotaIds[0]!;
    const ids = (await registerAll(t, driveId, ['A', 'B'].map((x) => ({ fullName: `Ngô Văn Bằng Điểm ${x}`, quotaId })))).map((a) => a.applicationId);
    await toMarking(t, driveId);
    await scoredRound(t, driveId, round2(), ids.map((applicationId) => ({ applicationId, partCode: 'professional', score: '70.00' })));
    await computeOk(t, driveId);
    return { driveId, quotaId, ids };
  }

  it('when the council posts a tie decision, then 403; an approver without the decision reference 422; the head’s key decides', async () => {
    const { driveId, quotaId, ids } = await tiedDrive();
    const body = { quotaId, orderedApplicationIds: [ids[1], ids[0]], reason: 'Người đứng đầu cơ quan quyết định' };
    const byCouncil = await t.http.post(`/v1/drives/${driveId}/results/tie-decisions`).set(bearer(await t.keyFor('council'))).send(body);
    expect(byCouncil.status).toBe(403);
    const approver = await t.keyFor('approver');
    const noRef = await t.http.post(`/v1/drives/${driveId}/results/tie-decisions`).set(bearer(approver)).send(body);
    expect(noRef.status).toBe(422);
    expect(noRef.body.code).toBe('head_decision.reference_required');

    const { head, chair } = await formCouncil(t, driveId);
    const chairKey = await memberKey(t, driveId, chair.id);
    const byChair = await t.http.post(`/v1/drives/${driveId}/results/tie-decisions`).set(bearer(chairKey)).send(body);
    expect(byChair.status).toBe(403);
    const headKey = await memberKey(t, driveId, head.id);
    const decided = await t.http.post(`/v1/drives/${driveId}/results/tie-decisions`).set(bearer(headKey)).send(body);
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body.quota.winners[0].applicationId).toBe(ids[1]);
    const stored = await t.sql<{ decided_by_member_id: string }>('select decided_by_member_id from tie_decisions where drive_id = $1', [driveId]);
    expect(stored).toEqual([{ decided_by_member_id: head.id }]);
  });

  it('when the drive records its boards, then an approver approves only with the head’s decision reference; the head’s key without one', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { preset: 'nd138', slots: [1] });
    const ids = (await registerAll(t, driveId, ['A', 'B'].map((x) => ({ fullName: `Lý Văn Khác Điểm ${x}`, quotaId: quotaIds[0]! })))).map((a) => a.applicationId);
    await toMarking(t, driveId);
    await scoredRound(t, driveId, round2(), ids.map((applicationId, i) => ({ applicationId, partCode: 'professional', score: i === 0 ? '80.00' : '70.00' })));
    await computeOk(t, driveId);
    expect((await t.http.post(`/v1/drives/${driveId}/results/submit`).set(bearer(t.adminKey))).status).toBe(200);
    const { head } = await formCouncil(t, driveId);
    const approver = await t.keyFor('approver');
    const noRef = await t.http.post(`/v1/drives/${driveId}/results/approve`).set(bearer(approver));
    expect(noRef.status).toBe(422);
    expect(noRef.body.code).toBe('head_decision.reference_required');
    const byHead = await t.http.post(`/v1/drives/${driveId}/results/approve`).set(bearer(await memberKey(t, driveId, head.id)));
    expect(byHead.status, JSON.stringify(byHead.body)).toBe(200);
    const audit = await auditOf('results.approved', driveId);
    expect((audit[0]!.after.decidedBy as { member: { id: string } }).member.id).toBe(head.id);
  });

  it('when an approver records the head’s tie decision with its reference, then it is accepted and the reference kept', async () => {
    const { driveId, quotaId, ids } = await tiedDrive();
    const res = await t.http
      .post(`/v1/drives/${driveId}/results/tie-decisions`)
      .set(bearer(await t.keyFor('approver')))
      .send({ quotaId, orderedApplicationIds: [ids[0], ids[1]], reason: 'Theo quyết định của Giám đốc Sở', decision: decision('88/QĐ-SNV') });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const stored = await t.sql<{ decision_number: string; decided_by_member_id: string | null }>('select decision_number, decided_by_member_id from tie_decisions where drive_id = $1', [driveId]);
    expect(stored).toEqual([{ decision_number: '88/QĐ-SNV', decided_by_member_id: null }]);
  });
});
