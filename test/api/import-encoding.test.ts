import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_IMPORT_ROWS } from '../../src/modules/applications/applications.schemas.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { createOpenDriveNow, makeNationalId } from '../factories/candidates.js';

/*
 * Issue 12, items 9 and 18: JSON imports are streamed (row cap and syntax checked before any
 * write, no value gathered whole), and import text is UTF-8 or decoded from a declared charset.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

const HEADER = 'fullName,nationalId,birthDate,gender,ethnicity,nationality,quotaId';
const appsOf = async (driveId: string) =>
  t.sql<{ full_name: string }>('select c.full_name from applications a join candidates c on c.id = a.candidate_id where a.drive_id = $1 order by c.full_name', [driveId]);

/** Sends the bytes as they are (superagent would serialise a Buffer sent as JSON). */
function post(driveId: string, contentType: string, body: Buffer | string) {
  return t.http
    .post(`/v1/drives/${driveId}/applications/import`)
    .set(bearer(t.adminKey))
    .set('content-type', contentType)
    .serialize((b: unknown) => b as string)
    .send(Buffer.from(body));
}

/**
 * Vietnamese text as Windows-1258 bytes: that code page has the base letters â ê ô ă ơ ư đ but writes
 * the five tones as combining marks (grave, acute, tilde, hook above, dot below), as Excel saves them.
 */
function windows1258(text: string): Buffer {
  const split = text
    .normalize('NFD')
    // Recompose the letter modifiers (circumflex, breve, horn), keeping a dot below that NFD put first.
    .replace(/([AEOaeo])(\u0323?)\u0302/g, (_m, base: string, dot: string) => `${(base + '\u0302').normalize('NFC')}${dot}`)
    .replace(/([Aa])(\u0323?)\u0306/g, (_m, base: string, dot: string) => `${(base + '\u0306').normalize('NFC')}${dot}`)
    .replace(/([OUou])\u031B/g, (m) => m.normalize('NFC'));
  const bytes = iconv.encode(split, 'windows-1258');
  expect(iconv.decode(bytes, 'windows-1258').normalize('NFC')).toBe(text.normalize('NFC'));
  return bytes;
}

describe('import text encoding (issue 12 item 18)', () => {
  const names = ['Nguyễn Thị Ánh', 'Đặng Văn Dũng', 'Phạm Thị Ngọc Hường'];
  const file = (quotaId: string) => names.map((n) => `${n},${makeNationalId({ birthYear: 1990 })},1990-01-01,male,Kinh,VN,${quotaId}`);

  it('when a Windows-1258 CSV declares no charset, then 400 import.encoding naming the first bad byte and its line, and nothing is written', async () => {
    const d = await createOpenDriveNow(t);
    const bytes = windows1258([HEADER, ...file(d.quotaId)].join('\r\n'));
    const at = bytes.findIndex((b) => b >= 0x80);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    expect(line).toBe(2);
    for (const type of ['text/csv', 'text/csv; charset=utf-8']) {
      const res = await post(d.driveId, type, bytes);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('import.encoding');
      expect(res.body.detail).toContain(`byte ${at} (line ${line})`);
    }
    expect(await appsOf(d.driveId)).toEqual([]);
  });

  it('when the same file declares charset=windows-1258, then the names are stored as the NFC Vietnamese strings', async () => {
    const d = await createOpenDriveNow(t);
    const res = await post(d.driveId, 'text/csv; charset=windows-1258', windows1258([HEADER, ...file(d.quotaId)].join('\r\n')));
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ rows: 3, created: 3, errors: 0 });
    const stored = (await appsOf(d.driveId)).map((r) => r.full_name);
    expect(stored).toEqual([...names].map((n) => n.normalize('NFC')).sort((a, b) => (a < b ? -1 : 1)));
    // No replacement character, no question mark, no combining mark left (NFC).
    for (const n of stored) expect([...n].filter((c) => c === '?' || c === '\uFFFD' || (c >= '\u0300' && c <= '\u036f'))).toEqual([]);
  });

  it('when a Latin-1 CSV is sent, then it is refused without a charset and stored correctly with charset=iso-8859-1; a semicolon file too', async () => {
    const d = await createOpenDriveNow(t);
    const name = 'Lê Hoàng Anh';
    const body = iconv.encode([HEADER, `${name},${makeNationalId({ birthYear: 1991, female: true })},1991-03-04,female,Kinh,VN,${d.quotaId}`].join('\n'), 'latin1');
    const refused = await post(d.driveId, 'text/csv', body);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('import.encoding');
    expect(refused.body.detail).toContain('(line 2)');
    const ok = await post(d.driveId, 'text/csv; charset=ISO-8859-1', body);
    expect(ok.status).toBe(200);
    expect(ok.body.summary).toMatchObject({ created: 1 });
    const semi = iconv.encode([HEADER.replaceAll(',', ';'), `Hélène Dà;${makeNationalId({ birthYear: 1992, female: true })};1992-05-06;female;Kinh;VN;${d.quotaId}`].join('\r\n'), 'latin1');
    expect((await post(d.driveId, 'text/csv; charset="latin1"', semi)).status).toBe(200);
    expect((await appsOf(d.driveId)).map((r) => r.full_name)).toEqual(['Hélène Dà', name]);
  });

  it('when a UTF-8 CSV has a BOM, then it stays accepted; an unknown charset is 400 import.encoding', async () => {
    const d = await createOpenDriveNow(t);
    const csv = `\uFEFF${HEADER}\r\nNguyễn Thị Ánh,${makeNationalId({ birthYear: 1990, female: true })},1990-01-01,female,Kinh,VN,${d.quotaId}\r\n`;
    const ok = await post(d.driveId, 'text/csv', Buffer.from(csv, 'utf8'));
    expect(ok.status).toBe(200);
    expect(ok.body.summary.created).toBe(1);
    const unknown = await post(d.driveId, 'text/csv; charset=klingon-8', Buffer.from(csv, 'utf8'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('import.encoding');
  });

  it('when a JSON import body holds invalid UTF-8 (a Latin-1 byte, a cut sequence, an overlong form), then 400 import.encoding and nothing is written', async () => {
    const d = await createOpenDriveNow(t);
    const row = (name: string) => `[{"fullName":"${name}","nationalId":"${makeNationalId({ birthYear: 1990 })}","birthDate":"1990-01-01","gender":"male","ethnicity":"Kinh","quotaId":"${d.quotaId}"}]`;
    const bad = [
      Buffer.concat([Buffer.from(row('L').slice(0, 15)), Buffer.from([0xea]), Buffer.from(row('L').slice(15))]),
      Buffer.concat([Buffer.from(row('X').slice(0, 15)), Buffer.from([0xe1, 0xbb]), Buffer.from(row('X').slice(15))]),
      Buffer.concat([Buffer.from(row('Y').slice(0, 15)), Buffer.from([0xc0, 0xaf]), Buffer.from(row('Y').slice(15))]),
    ];
    for (const body of bad) {
      const res = await post(d.driveId, 'application/json', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('import.encoding');
      expect(res.body.detail).toContain('byte 15 (line 1)');
    }
    expect(await appsOf(d.driveId)).toEqual([]);
  });
});

describe('JSON imports are streamed (issue 12 item 9)', () => {
  const rowJson = (quotaId: string) =>
    JSON.stringify({ fullName: 'Vũ Thị Hà', nationalId: makeNationalId({ birthYear: 1990, female: true }), birthDate: '1990-01-01', gender: 'female', ethnicity: 'Kinh', quotaId });

  it('when a JSON body has more rows than the cap, then it is refused when row cap + 1 is read (the broken end is never reached) and nothing is written', async () => {
    const d = await createOpenDriveNow(t);
    const row = rowJson(d.quotaId);
    // Rows past the cap, then a body that never closes: refused for the cap, not for the syntax.
    const body = `[${Array.from({ length: MAX_JSON_IMPORT_ROWS + 1 }, () => row).join(',')},{"fullName": "unterminated`;
    const res = await post(d.driveId, 'application/json', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('import.invalid_body');
    expect(res.body.detail).toContain(`at most ${MAX_JSON_IMPORT_ROWS} rows`);
    expect(await appsOf(d.driveId)).toEqual([]);
  });

  it('when a JSON body is broken after good rows, or holds one value over 1 MiB, or is not an array, then 400 import.invalid_body before any write', async () => {
    const d = await createOpenDriveNow(t);
    const row = rowJson(d.quotaId);
    const truncated = await post(d.driveId, 'application/json', `[${row},${row}`);
    expect(truncated.status).toBe(400);
    expect(truncated.body.code).toBe('import.invalid_body');
    const trailing = await post(d.driveId, 'application/json', `[${row}] [${row}]`);
    expect(trailing.status).toBe(400);
    expect(trailing.body.code).toBe('import.invalid_body');
    const huge = await post(d.driveId, 'application/json', `[${row},{"fullName":"${'a'.repeat(3 * 1_048_576)}"}]`);
    expect(huge.status).toBe(400);
    expect(huge.body.code).toBe('import.invalid_body');
    expect(huge.body.detail).toContain('larger than');
    for (const body of ['{"rows":[]}', '"text"', '', '   ']) {
      const res = await post(d.driveId, 'application/json', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('import.invalid_body');
    }
    expect(await appsOf(d.driveId)).toEqual([]);
    // A `__proto__` member is an unknown field of its row, not a prototype.
    const proto = await post(d.driveId, 'application/json', `[${row.slice(0, -1)},"__proto__":{"isAdmin":true}}]`);
    expect(proto.status).toBe(200);
    expect(proto.body.results[0]).toMatchObject({ status: 'error', errors: [{ code: 'row.unknown_field' }] });
  });

  it('when a JSON import is over the import body limit, then 413 request.too_large problem+json', async () => {
    const small = await setupApp({ env: { IMPORT_BODY_LIMIT_BYTES: '4096' } });
    try {
      const d = await createOpenDriveNow(small);
      const row = rowJson(d.quotaId);
      const res = await small.http
        .post(`/v1/drives/${d.driveId}/applications/import`)
        .set(bearer(small.adminKey))
        .set('content-type', 'application/json')
        .send(`[${Array.from({ length: 60 }, () => row).join(',')}]`);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('request.too_large');
    } finally {
      await small.close();
    }
  });
});
