import { describe, expect, it } from 'vitest';
import { newScriptCode, newScriptCodes, normalizeScriptCode, SCRIPT_CODE_ALPHABET, SCRIPT_CODE_PATTERN } from '../../src/domain/script-codes.js';

describe('script codes (số phách, DOMAIN.md "Anonymous marking")', () => {
  it('when a code is drawn, then it has 8 characters from the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) expect(newScriptCode()).toMatch(SCRIPT_CODE_PATTERN);
    for (const c of '01ILO') expect(SCRIPT_CODE_ALPHABET).not.toContain(c);
  });

  it('when many codes are drawn, then they are distinct and avoid codes already taken', () => {
    const taken = new Set(newScriptCodes(50, new Set()));
    const more = newScriptCodes(2000, taken);
    expect(new Set(more).size).toBe(2000);
    for (const c of more) expect(taken.has(c)).toBe(false);
  });

  it('when the random source repeats a taken code, then it is drawn again', () => {
    const seq = [...Array(8).fill(0), ...Array(8).fill(0), ...Array(8).fill(1)];
    let i = 0;
    const codes = newScriptCodes(1, new Set(['AAAAAAAA']), () => seq[i++]!);
    expect(codes).toEqual(['BBBBBBBB']);
  });

  it.each([
    [' abcdefgh ', 'ABCDEFGH'],
    ['ABCDEFG', null],
    ['ABCDEFG0', null],
    ['ABCDEFGHJ', null],
  ])('when %j is typed, then it normalises to %j', (input, expected) => {
    expect(normalizeScriptCode(input)).toBe(expected);
  });
});
