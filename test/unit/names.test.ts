import { describe, expect, it } from 'vitest';
import {
  assignCandidateNumbers,
  candidateNumberOrder,
  formatCandidateNumber,
  normalizeName,
  searchKey,
  splitVietnameseName,
} from '../../src/domain/names.js';

describe('normalizeName and searchKey', () => {
  it('when a name is typed with decomposed accents and extra spaces, then it is NFC with single spaces', () => {
    const decomposed = '  Nguye\u0302\u0303n   Va\u0306n\tAn '.normalize('NFD');
    expect(normalizeName(decomposed)).toBe('Nguyễn Văn An');
    expect(normalizeName(decomposed)).toBe('Nguyễn Văn An'.normalize('NFC'));
  });

  it.each([
    ['Nguyễn Văn An', 'nguyen van an'],
    ['Đặng Thị Đào', 'dang thi dao'],
    ['  TRẦN   Quốc Toản ', 'tran quoc toan'],
    ['Lê Bảo Anh', 'le bao anh'],
  ])('when the name is %s, then the search key is %s', (name, key) => {
    expect(searchKey(name)).toBe(key);
  });
});

describe('candidate-number order (given name, then the rest, Vietnamese collation)', () => {
  const keyed = (fullName: string, tiebreak: string | number = 0) => ({ fullName, tiebreak });

  it("DOMAIN: when the names are 'Nguyễn Văn Ánh', 'Trần Thị An', 'Lê Bảo Anh', then they order An, Anh, Ánh", () => {
    const sorted = [keyed('Nguyễn Văn Ánh'), keyed('Trần Thị An'), keyed('Lê Bảo Anh')].sort(candidateNumberOrder).map((k) => k.fullName);
    expect(sorted).toEqual(['Trần Thị An', 'Lê Bảo Anh', 'Nguyễn Văn Ánh']);
  });

  it('when given names use Vietnamese letters, then ă and â follow a, đ follows d', () => {
    const names = ['Phạm Đức', 'Hồ Dũng', 'Võ Ân', 'Vũ Ăn', 'Lý Bình', 'Mai An'];
    expect(names.map((n) => keyed(n)).sort(candidateNumberOrder).map((k) => k.fullName)).toEqual([
      'Mai An',
      'Vũ Ăn',
      'Võ Ân',
      'Lý Bình',
      'Hồ Dũng',
      'Phạm Đức',
    ]);
  });

  it('when given names are equal, then the rest of the name decides', () => {
    expect([keyed('Trần Văn An'), keyed('Lê Văn An'), keyed('Lê Thị An')].sort(candidateNumberOrder).map((k) => k.fullName)).toEqual([
      'Lê Thị An',
      'Lê Văn An',
      'Trần Văn An',
    ]);
  });

  it("when full names are identical, then the caller's tiebreak (registration time) decides", () => {
    const a = keyed('Nguyễn Văn An', '2025-03-02T01:00:00Z');
    const b = keyed('Nguyễn  Văn An', '2025-03-01T01:00:00Z');
    expect([a, b].sort(candidateNumberOrder)).toEqual([b, a]);
  });

  it('when numbers are assigned, then they follow the list order with the prefix and padding', () => {
    const r = assignCandidateNumbers([keyed('Nguyễn Văn Ánh'), keyed('Trần Thị An'), keyed('Lê Bảo Anh')], 'HN');
    expect(r.map((x) => [x.fullName, x.candidateNumber])).toEqual([
      ['Trần Thị An', 'HN0001'],
      ['Lê Bảo Anh', 'HN0002'],
      ['Nguyễn Văn Ánh', 'HN0003'],
    ]);
  });

  it('when formatting, then numbers are zero-padded and never truncated', () => {
    expect(formatCandidateNumber('TD25-', 7)).toBe('TD25-0007');
    expect(formatCandidateNumber('', 123456)).toBe('123456');
    expect(() => formatCandidateNumber('X', 0)).toThrow();
  });

  it('when a name has a single word, then it is the given name', () => {
    expect(splitVietnameseName('Thảo')).toEqual({ givenName: 'Thảo', rest: '' });
    expect(() => splitVietnameseName('   ')).toThrow();
  });
});
