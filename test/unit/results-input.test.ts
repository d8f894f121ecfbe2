import { describe, expect, it } from 'vitest';
import { ABSENT, parsePartScores, PENDING } from '../../src/modules/results/results.input.js';
import { idSequence } from '../../src/modules/results/results.repository.js';

describe('compact score lists read for the results engine', () => {
  it.each([
    [null, []],
    ['', []],
    ['0:7850', [7850]],
    ['2:a,0:0,1:p', [0, PENDING, ABSENT]],
    ['1:10000', [undefined, 10000]],
  ])('when the list is %j, then the scores by part index are %j (integer hundredths, absent, pending)', (text, expected) => {
    expect(parsePartScores(text)).toEqual(expected);
  });
});

describe('result ids generated for one computation', () => {
  it('when many ids are made at once, then they are distinct, valid v7 UUIDs in ascending order (reads order equal ranks by id)', () => {
    const ids = idSequence(50_000);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0]!, ids.at(-1)!]) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(idSequence(0)).toEqual([]);
  });
});
