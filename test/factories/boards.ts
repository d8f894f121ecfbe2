import { bearer, type TestApp } from '../helpers/app.js';

/*
 * Builders for the people behind a drive: seats on boards (through the API) and keys bound to them.
 */

export type Seat = { id: string; board: string; fullName: string };

let n = 0;
export const decision = (number = `${++n}/QĐ-UBND`) => ({ number, date: '2025-06-01' });

export async function appoint(
  t: TestApp,
  driveId: string,
  board: string,
  body: { fullName?: string; seat?: 'head' | 'deputy' | 'member' | 'secretary'; nationalId?: string; relatives?: object[]; discipline?: string; appointedByMemberId?: string } = {},
  key = t.adminKey,
) {
  return t.http
    .post(`/v1/drives/${driveId}/boards/${board}/members`)
    .set(bearer(key))
    .send({ fullName: body.fullName ?? `Thành viên ${board} ${++n}`, seat: body.seat ?? 'member', decision: decision(), ...body });
}

export async function seat(t: TestApp, driveId: string, board: string, body: Parameters<typeof appoint>[3] = {}): Promise<Seat> {
  const res = await appoint(t, driveId, board, body);
  if (res.status !== 201) throw new Error(`appoint ${board}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Seat;
}

export async function memberKey(t: TestApp, driveId: string, memberId: string): Promise<string> {
  const res = await t.http.post(`/v1/drives/${driveId}/boards/members/${memberId}/keys`).set(bearer(t.adminKey)).send({});
  if (res.status !== 201) throw new Error(`member key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}

/** The head of the recruiting agency and the council's chair: the seats that form the others. */
export async function formCouncil(t: TestApp, driveId: string) {
  const head = await seat(t, driveId, 'agency_head', { fullName: 'Giám đốc Sở Nguyễn Văn Trưởng', seat: 'head' });
  const chair = await seat(t, driveId, 'council', { fullName: 'Phó Giám đốc Lê Văn Chủ Tịch', seat: 'head' });
  return { head, chair };
}
