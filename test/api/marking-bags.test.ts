import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { codesOf, markingSetup, putMarks } from '../factories/rounds.js';

/*
 * Marking bags (túi bài), Circular 22/2025/TT-BNV Quy chế Art. 16(1)(b), 16(2)(a)–(b): paper scripts are
 * marked bag by bag; the head of marking hands each bag to a first marker and then "phân công ngẫu nhiên
 * thành viên chấm thi 2 đảm bảo không giao trở lại túi bài làm đã chấm cho chính thành viên chấm thi 1".
 */

let t: TestApp;
let m1: string;
let m2: string;
let council: string;
beforeAll(async () => {
  t = await setupApp();
  [m1, m2, council] = await Promise.all([t.keyFor('marker'), t.keyFor('marker'), t.keyFor('council')]);
});
afterAll(async () => {
  await t.close();
});

const bagsOf = (roundId: string) =>
  t.sql<{ code: string; bag: string | null }>('select code, bag from scripts where round_id = $1 order by code', [roundId]);

describe('marking bags (Quy chế Art. 16(2)(a)–(b))', () => {
  it('Art. 16(2)(b): when a member marked a bag first, then they may not give a second mark in that bag, even on another script (409 mark.same_bag); in another bag they may', async () => {
    const s = await markingSetup(t, { count: 4, preset: 'nd170' });
    const codes = await codesOf(t, s.round.id);
    const [a, b, c, d] = s.apps.map((x) => codes.get(x.id)!) as [string, string, string, string];
    const packed = await t.http
      .put(`/v1/rounds/${s.round.id}/bags`)
      .set(bearer(council))
      .send([
        { code: a, bag: 'T01' },
        { code: b, bag: 'T01' },
        { code: c, bag: 'T02' },
        { code: d, bag: 'T02' },
      ]);
    expect(packed.status, JSON.stringify(packed.body)).toBe(200);
    expect(packed.body).toEqual({ packed: 4, bags: [{ bag: 'T01', scripts: 2 }, { bag: 'T02', scripts: 2 }] });

    expect((await putMarks(t, s.round.id, m1, [{ code: a, slot: '1', score: '70' }])).status).toBe(200);
    expect((await putMarks(t, s.round.id, m2, [{ code: c, slot: '1', score: '60' }])).status).toBe(200);
    // m1 marked bag T01 first: a second mark on b (another script of T01) is refused, and nothing of the batch is saved.
    const back = await putMarks(t, s.round.id, m1, [
      { code: d, slot: '1', score: '65' },
      { code: b, slot: '2', score: '71' },
    ]);
    expect(back.status).toBe(409);
    expect(back.body).toMatchObject({ code: 'mark.same_bag', rows: [{ row: 2, code: b, slot: '2', bag: 'T01' }] });
    expect(await t.sql('select 1 from marks m join scripts s on s.id = m.script_id where s.code in ($1, $2)', [b, d])).toHaveLength(0);
    // Nor may m2, who gave a first mark in T02, give a second mark there.
    expect((await putMarks(t, s.round.id, m2, [{ code: d, slot: '2', score: '61' }])).body.code).toBe('mark.same_bag');
    // Swapped, each is the second marker of the other's bag.
    const swapped1 = await putMarks(t, s.round.id, m1, [{ code: c, slot: '2', score: '62' }]);
    expect(swapped1.status, JSON.stringify(swapped1.body)).toBe(200);
    const swapped2 = await putMarks(t, s.round.id, m2, [{ code: a, slot: '2', score: '72' }]);
    expect(swapped2.status, JSON.stringify(swapped2.body)).toBe(200);
    expect(swapped2.body.rows[0].scriptStatus).toBe('final');
    // m2 is now a second marker of T01: a first mark there by m2 is refused too.
    expect((await putMarks(t, s.round.id, m2, [{ code: b, slot: '1', score: '70' }])).body.code).toBe('mark.same_bag');
  });

  it('when scripts are packed, then unknown codes and marked scripts are refused (422 bags.rejected) and nothing moves; without bags only the per-script rule applies', async () => {
    const s = await markingSetup(t, { count: 2, preset: 'nd170' });
    const codes = await codesOf(t, s.round.id);
    const [a, b] = s.apps.map((x) => codes.get(x.id)!) as [string, string];
    // Not packed: m1 may give the first mark of a and the second of b (Art. 16(2)(b) is then held per script only).
    expect((await putMarks(t, s.round.id, m1, [{ code: a, slot: '1', score: '70' }, { code: b, slot: '2', score: '70' }])).status).toBe(200);
    const refused = await t.http
      .put(`/v1/rounds/${s.round.id}/bags`)
      .set(bearer(council))
      .send([
        { code: a, bag: 'T01' },
        { code: 'ZZZZZZ', bag: 'T01' },
      ]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'bags.rejected', rows: [{ row: 1, code: 'bag.script_marked' }, { row: 2, code: 'script.not_found' }] });
    expect((await bagsOf(s.round.id)).every((r) => r.bag === null)).toBe(true);
    // A marker key does not pack bags.
    expect((await t.http.put(`/v1/rounds/${s.round.id}/bags`).set(bearer(m1)).send([{ code: a, bag: 'T01' }])).status).toBe(403);
  });
});
