import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { formCouncil, memberKey, seat } from '../factories/boards.js';
import { makeNationalId } from '../factories/candidates.js';
import { codesOf, markingSetup, putMarks } from '../factories/rounds.js';

/*
 * Marking of Decree 170/2025 drives under Circular 22/2025/TT-BNV (Quy chế Art. 16, 20, 22), and the
 * older rule kept by public-employee drives.
 */

let t: TestApp;
let m1: string;
let m2: string;
let m3: string;
let council: string;
beforeAll(async () => {
  t = await setupApp();
  [m1, m2, m3, council] = await Promise.all([t.keyFor('marker'), t.keyFor('marker'), t.keyFor('marker'), t.keyFor('council')]);
});
afterAll(async () => {
  await t.close();
});

const scriptRow = async (roundId: string, code: string) =>
  (await t.sql<{ status: string; final_score: string | null; final_rule: string | null; decision_reason: string | null }>(
    'select status, final_score, final_rule, decision_reason from scripts where round_id = $1 and code = $2',
    [roundId, code],
  ))[0]!;

const panelRound = (panelSize: number | null) => ({ parts: [{ code: 'interview', maxScore: '100', markingMode: 'panel' as const, panelSize, written: false }] });

describe('paper written scripts of a 170 drive (Circular 22/2025 Quy chế Art. 16(2))', () => {
  it('Art. 16(2)(c): when the spread is 5, 5.01, 9.99 or 10, then the mean at 2 decimals, the head, the head, a third member', async () => {
    const s = await markingSetup(t, { count: 4, preset: 'nd170' });
    const codes = await codesOf(t, s.round.id);
    const [a, b, c, d] = s.apps.map((x) => codes.get(x.id)!) as [string, string, string, string];
    await putMarks(t, s.round.id, m1, [
      { code: a, slot: '1', score: '70.05' },
      { code: b, slot: '1', score: '70' },
      { code: c, slot: '1', score: '70' },
      { code: d, slot: '1', score: '70' },
    ]);
    const res = await putMarks(t, s.round.id, m2, [
      { code: a, slot: '2', score: '75.05' },
      { code: b, slot: '2', score: '75.01' },
      { code: c, slot: '2', score: '79.99' },
      { code: d, slot: '2', score: '80' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { scriptStatus: string }) => r.scriptStatus)).toEqual(['final', 'head_decides', 'head_decides', 'escalated']);
    // 72.55 stays 72.55: two decimals, not the one decimal of Circular 6/2020.
    expect(await scriptRow(s.round.id, a)).toMatchObject({ status: 'final', final_score: '72.55', final_rule: 'average' });

    const list = await t.http.get(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(council));
    const byCode = Object.fromEntries(list.body.items.map((i: { code: string }) => [i.code, i]));
    expect(byCode[b]).toMatchObject({ status: 'head_decides', spread: '5.01' });
    expect(byCode[c]).toMatchObject({ status: 'head_decides', spread: '9.99' });
    expect(byCode[d]).toMatchObject({ status: 'escalated', spread: '10.00' });
    expect(byCode[d].reason).toContain('third member');

    // A 10-point spread goes to a third member: the head may not decide it first.
    const early = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: d, score: '75', reason: 'Hội ý' }] });
    expect(early.status).toBe(422);
    expect(early.body.rows[0].code).toBe('script.awaits_third_marker');

    // The head decides between 5 and 10, to 2 decimals.
    const decided = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: b, score: '72.57', reason: 'Trưởng ban chấm thi thảo luận với hai thành viên chấm' }] });
    expect(decided.status).toBe(200);
    expect(await scriptRow(s.round.id, b)).toMatchObject({ status: 'final', final_score: '72.57', final_rule: 'head_decision' });
  });

  it('Art. 16(2)(d): when two of the three marks are equal, then that mark; when all three differ, then the head decides after collective marking', async () => {
    const s = await markingSetup(t, { count: 2, preset: 'nd170' });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!) as [string, string];
    await putMarks(t, s.round.id, m1, [
      { code: a, slot: '1', score: '60' },
      { code: b, slot: '1', score: '60' },
    ]);
    await putMarks(t, s.round.id, m2, [
      { code: a, slot: '2', score: '70' },
      { code: b, slot: '2', score: '70' },
    ]);
    const third = await putMarks(t, s.round.id, m3, [
      { code: a, slot: '3', score: '70' },
      { code: b, slot: '3', score: '65' },
    ]);
    expect(third.body.rows.map((r: { scriptStatus: string }) => r.scriptStatus)).toEqual(['final', 'head_decides']);
    expect(await scriptRow(s.round.id, a)).toMatchObject({ final_score: '70.00', final_rule: 'two_of_three' });
    const pending = await scriptRow(s.round.id, b);
    expect(pending.decision_reason).toContain('collective marking');

    const list = await t.http.get(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(council));
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ code: b, status: 'head_decides', spread: '10.00' });
    expect(list.body.items[0].marks.map((m: { slot: string }) => m.slot)).toEqual(['1', '2', '3']);

    const decided = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code: b, score: '66.25', reason: 'Chấm tập thể' }] });
    expect(decided.status).toBe(200);
    expect(await scriptRow(s.round.id, b)).toMatchObject({ final_score: '66.25', final_rule: 'head_decision' });
  });

  it('Art. 16(2)(b): when the same member would give both marks or the third, then 409 mark.same_marker', async () => {
    const s = await markingSetup(t, { count: 1, preset: 'nd170' });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, m1, [{ code, slot: '1', score: '60' }]);
    const second = await putMarks(t, s.round.id, m1, [{ code, slot: '2', score: '61' }]);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('mark.same_marker');
    await putMarks(t, s.round.id, m2, [{ code, slot: '2', score: '75' }]);
    const third = await putMarks(t, s.round.id, m2, [{ code, slot: '3', score: '70' }]);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('mark.same_marker');
  });

  it('Art. 16(3): when the head scores a paper script 0, then the marker’s written report is required and kept with the reason', async () => {
    const s = await markingSetup(t, { count: 1, preset: 'nd170' });
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;
    const bare = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code, zero: true, reason: 'Bài làm có hai màu mực' }] });
    expect(bare.status).toBe(422);
    expect(bare.body.rows[0].code).toBe('decision.report_required');
    const ok = await t.http
      .post(`/v1/rounds/${s.round.id}/reconciliation`)
      .set(bearer(council))
      .send({ decisions: [{ code, zero: true, reason: 'Bài làm có hai màu mực', reportRef: 'BC-03/BCT' }] });
    expect(ok.status).toBe(200);
    expect(await scriptRow(s.round.id, code)).toMatchObject({ final_score: '0.00', final_rule: 'zero_for_breach', decision_reason: "Bài làm có hai màu mực (marker's report BC-03/BCT)" });
  });
});

describe('panels of a 170 drive (Circular 22/2025 Quy chế Art. 20(1), 22(1))', () => {
  it('Art. 22(1): when members differ by exactly 10, then the mean at 2 decimals; by 10.01, then the head of the panel decides', async () => {
    const s = await markingSetup(t, { count: 2, preset: 'nd170', round: panelRound(2) });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!) as [string, string];
    await putMarks(t, s.round.id, m1, [
      { code: a, slot: 'panel:m1', score: '70.01' },
      { code: b, slot: 'panel:m1', score: '70' },
    ]);
    const res = await putMarks(t, s.round.id, m2, [
      { code: a, slot: 'panel:m2', score: '80.01' },
      { code: b, slot: 'panel:m2', score: '80.01' },
    ]);
    expect(res.body.rows.map((r: { scriptStatus: string }) => r.scriptStatus)).toEqual(['final', 'head_decides']);
    expect(await scriptRow(s.round.id, a)).toMatchObject({ final_score: '75.01', final_rule: 'average' });
  });

  it('Art. 20(1): when a panel is short of its size, or a stored part has no size, then the score is not final', async () => {
    const sized = await markingSetup(t, { count: 1, preset: 'nd170', round: panelRound(3) });
    const code = (await codesOf(t, sized.round.id)).get(sized.apps[0]!.id)!;
    await putMarks(t, sized.round.id, m1, [{ code, slot: 'panel:m1', score: '80' }]);
    const two = await putMarks(t, sized.round.id, m2, [{ code, slot: 'panel:m2', score: '81' }]);
    expect(two.body.rows[0].scriptStatus).toBe('awaiting_marks');
    const three = await putMarks(t, sized.round.id, m3, [{ code, slot: 'panel:m3', score: '82.5' }]);
    expect(three.body.rows[0].scriptStatus).toBe('final');
    expect(await scriptRow(sized.round.id, code)).toMatchObject({ final_score: '81.17' });

    // A part without a size is refused at configuration (422 part.panel_size_required, test/api/leadership-panel.test.ts);
    // one stored before that check still never becomes final.
    const unsized = await markingSetup(t, { count: 1, preset: 'nd170', round: panelRound(2) });
    await t.sql('update parts set panel_size = null where round_id = $1', [unsized.round.id]);
    const c2 = (await codesOf(t, unsized.round.id)).get(unsized.apps[0]!.id)!;
    await putMarks(t, unsized.round.id, m1, [{ code: c2, slot: 'panel:m1', score: '80' }]);
    await putMarks(t, unsized.round.id, m2, [{ code: c2, slot: 'panel:m2', score: '80' }]);
    const row = await scriptRow(unsized.round.id, c2);
    expect(row).toMatchObject({ status: 'awaiting_marks', final_score: null });
    // Locking is refused while the part cannot be final.
    const lock = await t.http.post(`/v1/rounds/${unsized.round.id}/transitions`).set(bearer(t.adminKey)).send({ to: 'locked' });
    expect(lock.status).toBe(409);
  });

  it("Art. 22(1): when the panel's secretary transcribes a member's signed sheet, then the mark is that member's, with the sheet and the secretary shown to the council", async () => {
    const s = await markingSetup(t, { count: 1, preset: 'nd170', round: panelRound(2) });
    await formCouncil(t, s.driveId);
    const head = await seat(t, s.driveId, 'interview', { fullName: 'Trưởng ban Phỏng Vấn', seat: 'head', nationalId: makeNationalId({ birthYear: 1975 }) });
    const secretary = await seat(t, s.driveId, 'interview', { fullName: 'Thư ký Ban Phỏng Vấn', seat: 'secretary', nationalId: makeNationalId({ birthYear: 1985 }) });
    const member = await seat(t, s.driveId, 'interview', { fullName: 'Thành viên Phỏng Vấn', seat: 'member', nationalId: makeNationalId({ birthYear: 1982 }) });
    const [secKey, memberKeyOf] = [await memberKey(t, s.driveId, secretary.id), await memberKey(t, s.driveId, member.id)];
    const code = (await codesOf(t, s.round.id)).get(s.apps[0]!.id)!;

    // A member who is not the secretary cannot enter another member's sheet.
    const notSecretary = await t.http
      .put(`/v1/rounds/${s.round.id}/marks`)
      .set(bearer(memberKeyOf))
      .send([{ code, slot: `panel:${head.id}`, score: '60', member: head.id, sheetRef: 'PCĐ-01' }]);
    expect(notSecretary.body.rows[0]).toMatchObject({ status: 'rejected', errors: [{ code: 'mark.transcription_secretary_only' }] });
    // A sheet names its member.
    const incomplete = await t.http.put(`/v1/rounds/${s.round.id}/marks`).set(bearer(secKey)).send([{ code, slot: `panel:${head.id}`, score: '60', member: head.id }]);
    expect(incomplete.body.rows[0].errors[0].code).toBe('mark.transcription_incomplete');

    const sheet = await t.http
      .put(`/v1/rounds/${s.round.id}/marks`)
      .set(bearer(secKey))
      .send([{ code, slot: `panel:${head.id}`, score: '60', member: head.id, sheetRef: 'PCĐ-01' }]);
    expect(sheet.status).toBe(200);
    expect(sheet.body.rows[0]).toMatchObject({ status: 'saved', scriptStatus: 'awaiting_marks' });
    const own = await putMarks(t, s.round.id, memberKeyOf, [{ code, slot: `panel:${member.id}`, score: '75' }]);
    expect(own.body.rows[0].scriptStatus).toBe('head_decides');

    const stored = await t.sql<{ member_id: string; entered_by_member_id: string | null; sheet_ref: string | null }>(
      'select m.member_id, m.entered_by_member_id, m.sheet_ref from marks m join scripts s on s.id = m.script_id where s.code = $1 order by m.slot',
      [code],
    );
    expect(stored).toEqual(
      expect.arrayContaining([
        { member_id: head.id, entered_by_member_id: secretary.id, sheet_ref: 'PCĐ-01' },
        { member_id: member.id, entered_by_member_id: null, sheet_ref: null },
      ]),
    );
    const list = await t.http.get(`/v1/rounds/${s.round.id}/reconciliation`).set(bearer(t.adminKey));
    const marks = list.body.items[0].marks as { markedBy: { fullName: string }; transcription?: { sheetRef: string; by: { fullName: string } } }[];
    expect(marks.map((m) => m.markedBy.fullName).sort()).toEqual(['Thành viên Phỏng Vấn', 'Trưởng ban Phỏng Vấn']);
    expect(marks.find((m) => m.transcription)!.transcription).toMatchObject({ sheetRef: 'PCĐ-01', by: { fullName: 'Thư ký Ban Phỏng Vấn' } });
    // The council's list of scripts shows the same: who gave each mark, and the transcribed sheet with its secretary.
    const scripts = await t.http.get(`/v1/rounds/${s.round.id}/scripts`).set(bearer(t.adminKey));
    const listed = scripts.body.items.find((x: { code: string }) => x.code === code).marks as { markedBy: { fullName: string }; transcription?: { sheetRef: string; by: { fullName: string } } }[];
    expect(listed.find((m) => m.markedBy.fullName === 'Trưởng ban Phỏng Vấn')!.transcription).toMatchObject({ sheetRef: 'PCĐ-01', by: { fullName: 'Thư ký Ban Phỏng Vấn' } });
    expect(listed.find((m) => m.markedBy.fullName === 'Thành viên Phỏng Vấn')!.transcription).toBeUndefined();
  });
});

describe('direct score import of a 170 drive', () => {
  it('when scores are imported for a paper written part, then 409 scores.marked_part and nothing changes', async () => {
    const s = await markingSetup(t, { count: 1, preset: 'nd170' });
    const res = await t.http
      .put(`/v1/rounds/${s.round.id}/scores`)
      .set(bearer(t.adminKey))
      .send([{ applicationId: s.apps[0]!.id, partCode: 'written', score: '99' }]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'scores.marked_part', parts: [{ code: 'written', markingMode: 'double', written: true }] });
    expect(await t.sql('select 1 from scripts where round_id = $1 and final_score is not null', [s.round.id])).toEqual([]);
    // An absence is the invigilators' minute, not a mark: it is recorded on the paper part, with no score.
    const absent = await t.http.put(`/v1/rounds/${s.round.id}/scores`).set(bearer(t.adminKey)).send([{ applicationId: s.apps[0]!.id, partCode: 'written', absent: true }]);
    expect(absent.status, JSON.stringify(absent.body)).toBe(200);
    expect(await t.sql('select absent, final_score from scripts where round_id = $1', [s.round.id])).toEqual([{ absent: true, final_score: null }]);
  });

  it('when the machine’s export of a computer part changes a score, then the audit event holds the old and new value and its source', async () => {
    const s = await markingSetup(t, {
      count: 1,
      preset: 'nd170',
      round: { parts: [{ code: 'written', maxScore: '100', markingMode: 'single', written: true, computer: true }] },
    });
    const app = s.apps[0]!.id;
    const first = await t.http.put(`/v1/rounds/${s.round.id}/scores`).set(bearer(t.adminKey)).send([{ applicationId: app, partCode: 'written', score: '61' }]);
    expect(first.status).toBe(200);
    const again = await t.http.put(`/v1/rounds/${s.round.id}/scores`).set(bearer(t.adminKey)).send([{ applicationId: app, partCode: 'written', score: '64.5' }]);
    expect(again.status).toBe(200);
    const events = await t.sql<{ after: { changes: object[] } }>("select after from audit_events where action = 'scores.imported' and resource_id = $1 order by seq", [s.round.id]);
    // Sequence numbers are per audit stream (chosen per request), not a global order: compare as a set.
    expect(events.map((e) => e.after.changes)).toHaveLength(2);
    expect(events.map((e) => e.after.changes)).toEqual(expect.arrayContaining([
      [{ applicationId: app, partCode: 'written', previous: null, score: '61.00', previousRule: null, rule: 'direct_import', source: 'machine_export' }],
      [{ applicationId: app, partCode: 'written', previous: '61.00', score: '64.50', previousRule: 'direct_import', rule: 'direct_import', source: 'machine_export' }],
    ]));
    // Computer parts take no marks (never double-marked).
    const code = (await codesOf(t, s.round.id)).get(app)!;
    const mark = await putMarks(t, s.round.id, m1, [{ code, slot: '1', score: '70' }]);
    expect(mark.body.rows[0].errors[0].code).toBe('mark.computer_part');
  });
});

describe('public-employee drives keep their marking rule (nd115: Circular 6/2020 spread rule)', () => {
  it('when an nd115 paper script has a spread of 5, then the mean is rounded to one decimal, and a direct import is still taken', async () => {
    const s = await markingSetup(t, { count: 2, preset: 'nd115', staffCategory: 'public_employee' });
    const codes = await codesOf(t, s.round.id);
    const a = codes.get(s.apps[0]!.id)!;
    await putMarks(t, s.round.id, m1, [{ code: a, slot: '1', score: '70.05' }]);
    await putMarks(t, s.round.id, m2, [{ code: a, slot: '2', score: '75.05' }]);
    expect(await scriptRow(s.round.id, a)).toMatchObject({ final_score: '72.60', final_rule: 'average' });
    const imported = await t.http
      .put(`/v1/rounds/${s.round.id}/scores`)
      .set(bearer(t.adminKey))
      .send([{ applicationId: s.apps[1]!.id, partCode: 'written', score: '66' }]);
    expect(imported.status).toBe(200);
    expect(imported.body.saved).toBe(1);
  });
});
