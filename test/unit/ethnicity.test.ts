import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  admits,
  describeRestriction,
  ETHNIC_GROUPS,
  ETHNICITY_KEYS,
  ethnicityKey,
  isEthnicMinority,
  matchEthnicity,
  type EthnicRestriction,
} from '../../src/domain/ethnicity.js';

/*
 * The 54 groups of the General Statistics Office list (Decision 121-TCTK/PPCĐ) and the matcher
 * behind the coded ethnicity that Decree 170/2025 Art. 3(2)(c) reservations compare.
 */

describe('the list of 54 groups', () => {
  it('has codes 01 … 54 once each, names in NFC, 01 Kinh first and 54 Rơ-măm last', () => {
    expect(ETHNIC_GROUPS.map((g) => g.code)).toEqual(Array.from({ length: 54 }, (_, i) => String(i + 1).padStart(2, '0')));
    for (const g of ETHNIC_GROUPS) {
      expect(g.name).toBe(g.name.normalize('NFC'));
      for (const a of g.aliases) expect(a).toBe(a.normalize('NFC'));
    }
    expect(ETHNIC_GROUPS[0]!.name).toBe('Kinh');
    expect(ETHNIC_GROUPS[53]!.name).toBe('Rơ-măm');
    expect(new Set(ETHNIC_GROUPS.map((g) => ethnicityKey(g.name))).size).toBe(54);
  });
});

describe('matchEthnicity (case, diacritics, spacing and hyphens ignored; aliases)', () => {
  const table: [string, string | undefined][] = [
    ['Kinh', '01'],
    ['KINH', '01'],
    ['Việt', '01'],
    ['dân tộc Kinh', '01'],
    ['Tày', '02'],
    ['tay', '02'],
    ['Thái', '03'],
    ['THAI', '03'],
    ['Thái Đen', '03'],
    ['Hoa', '04'],
    ['Hán', '04'],
    ['Khmer', '05'],
    ['Khơ-me', '05'],
    ['Khơ Me', '05'],
    ['Mường', '06'],
    ['Muong', '06'],
    ['  mường ', '06'],
    ['Mu\u031Bo\u031B\u0300ng', '06'], // decomposed (NFD) input
    ['Nùng', '07'],
    ["H'Mông", '08'],
    ['H’Mông', '08'],
    ['HMông', '08'],
    ['Mông', '08'],
    ['Hmong', '08'],
    ['Mèo', '08'],
    ['Dao', '09'],
    ['Gia Rai', '10'],
    ['Ê Đê', '12'],
    ['Ê-đê', '12'],
    ['Êđê', '12'],
    ['ede', '12'],
    ['Ba Na', '13'],
    ['Bahnar', '13'],
    ['Xơ Đăng', '14'],
    ['Cơ Ho', '16'],
    ["K'Ho", '16'],
    ['Chăm', '17'],
    ["M'Nông", '20'],
    ['Bru - Vân Kiều', '23'],
    ['Thổ', '24'],
    ['Co', '30'],
    ['Lào', '37'],
    ['Lao', '37'], // a group's own name wins over La Hủ's alias "Lào"
    ['Cờ Lao', '47'],
    ['Brâu', '52'],
    ['Ơ Đu', '53'],
    ['Rơ Măm', '54'],
    ['người Tày', '02'],
    // Unmapped: not a group, a name of two groups, a nationality, empty.
    ['Xá Khao', undefined], // Kháng and La Ha
    ['Mun Di', undefined], // Lự and Lô Lô
    ['Việt Nam', undefined],
    ['Kinh Tày', undefined],
    ['không rõ', undefined],
    ['', undefined],
    ['---', undefined],
  ];
  it.each(table)('%j → %s', (value, code) => {
    expect(matchEthnicity(value)?.code).toBe(code);
  });
  it('null and undefined match nothing', () => {
    expect(matchEthnicity(null)).toBeUndefined();
    expect(matchEthnicity(undefined)).toBeUndefined();
  });
});

describe('reservations (Decree 170/2025 Art. 3(2)(c))', () => {
  const minority: EthnicRestriction = { ethnicMinorityOnly: true, ethnicGroups: [] };
  const named: EthnicRestriction = { ethnicMinorityOnly: true, ethnicGroups: [{ code: '02', slots: 2 }, { code: '07', slots: null }] };
  const open: EthnicRestriction = { ethnicMinorityOnly: false, ethnicGroups: [] };
  const table: [string, EthnicRestriction, string | null, boolean][] = [
    ['an open quota admits Kinh', open, '01', true],
    ['an open quota admits an unmapped ethnicity', open, null, true],
    ['minorities only: Kinh refused', minority, '01', false],
    ['minorities only: Tày admitted', minority, '02', true],
    ['minorities only: Ơ Đu admitted', minority, '53', true],
    ['minorities only: unmapped refused', minority, null, false],
    ['named groups: Tày admitted', named, '02', true],
    ['named groups: Nùng admitted', named, '07', true],
    ['named groups: Thái refused', named, '03', false],
    ['named groups: Kinh refused', named, '01', false],
  ];
  it.each(table)('%s', (_, r, code, ok) => {
    expect(admits(r, code)).toBe(ok);
  });
  it('Kinh is the majority; every other group and no unknown code is a minority', () => {
    expect(isEthnicMinority('01')).toBe(false);
    expect(isEthnicMinority('02')).toBe(true);
    expect(isEthnicMinority('99')).toBe(false);
    expect(isEthnicMinority(null)).toBe(false);
  });
  it('describes the restriction with the groups and their slots', () => {
    expect(describeRestriction(minority)).toContain('ethnic-minority');
    expect(describeRestriction(named)).toBe('reserved for candidates of the groups Tày (02): 2 slots, Nùng (07)');
  });
});

describe('migration 0029 maps stored values with the same keys', () => {
  it('its VALUES list is the module’s key table', () => {
    const sql = readFileSync(new URL('../../migrations/0029_ethnicity_codes.sql', import.meta.url), 'utf8');
    const first = sql.slice(sql.indexOf('WITH keys'), sql.indexOf('UPDATE'));
    const pairs = [...first.matchAll(/\('([a-z0-9]+)', '(\d\d)'\)/g)].map((m) => [m[1], m[2]]);
    expect(new Map(pairs as [string, string][])).toEqual(new Map(ETHNICITY_KEYS));
  });
});
