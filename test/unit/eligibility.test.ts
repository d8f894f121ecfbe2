import { describe, expect, it } from 'vitest';
import { ageOn, checkEligibility } from '../../src/domain/eligibility.js';
import { DomainError } from '../../src/domain/errors.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';

const nd138 = resolveRuleSet('nd138');

describe('ageOn (whole years on a date)', () => {
  it.each([
    ['2007-03-31', '2025-03-31', 18, 'birthday on that very day'],
    ['2007-04-01', '2025-03-31', 17, 'birthday one day later'],
    ['2007-03-30', '2025-03-31', 18, 'birthday one day earlier'],
    ['2008-02-29', '2026-02-28', 17, '29 Feb birth: not yet 18 on 28 Feb of a common year'],
    ['2008-02-29', '2026-03-01', 18, '29 Feb birth: 18 on 1 Mar of a common year'],
    ['2004-02-29', '2022-02-28', 17, '29 Feb birth, 18th birthday in a common year'],
    ['2004-02-29', '2024-02-29', 20, '29 Feb birth, birthday in a leap year'],
  ])('when born %s, then on %s the age is %i (%s)', (birth, on, age) => {
    expect(ageOn(birth, on)).toBe(age);
  });

  it.each(['2023-02-29', '2024-13-01', '24-01-01', 'yesterday'])('when the date %s is not a real date, then date.invalid is thrown', (bad) => {
    expect(() => ageOn(bad, '2025-01-01')).toThrow(DomainError);
  });
});

describe('checkEligibility (Law on Cadres and Civil Servants Art. 36(1); Law on Public Employees Art. 22)', () => {
  const ok = { birthDate: '2000-01-01', nationality: 'VN', barred: false, closingDate: '2025-03-31' };

  it('Law on Cadres and Civil Servants Art. 36(1): when an adult Vietnamese citizen is not barred, then they are eligible', () => {
    expect(checkEligibility(ok, nd138)).toEqual({ eligible: true, reasons: [] });
  });

  it.each([
    ['2007-03-31', true, 'Law on Cadres and Civil Servants Art. 36(1)(b): 18 on the closing date itself is enough'],
    ['2007-04-01', false, 'Law on Cadres and Civil Servants Art. 36(1)(b): turning 18 the day after closing is too late'],
  ])('when born %s with closing 2025-03-31, then eligible is %s (%s)', (birthDate, eligible) => {
    const r = checkEligibility({ ...ok, birthDate }, nd138);
    expect(r.eligible).toBe(eligible);
    if (!eligible) expect(r.reasons.map((x) => x.code)).toEqual(['eligibility.under_age']);
  });

  it('Law on Cadres and Civil Servants Art. 36(1)(a): when the nationality is not Vietnamese, then eligibility.nationality', () => {
    expect(checkEligibility({ ...ok, nationality: 'FR' }, nd138).reasons.map((r) => r.code)).toEqual(['eligibility.nationality']);
  });

  it('Decree 138/2020 Art. 17 (fraud cancellation bars the next drive): when barred after a fraud cancellation, then eligibility.barred', () => {
    expect(checkEligibility({ ...ok, barred: true }, nd138).reasons.map((r) => r.code)).toEqual(['eligibility.barred']);
  });

  it('when several rules fail, then every reason is reported', () => {
    const r = checkEligibility({ ...ok, birthDate: '2010-01-01', nationality: 'US', barred: true }, nd138);
    expect(r.eligible).toBe(false);
    expect(r.reasons.map((x) => x.code)).toEqual(['eligibility.under_age', 'eligibility.nationality', 'eligibility.barred']);
  });

  it('Law on Public Employees Art. 22(1)(b): when a post accepts 15-year-olds, then a 16-year-old is eligible', () => {
    expect(checkEligibility({ ...ok, birthDate: '2009-01-01', minAgeYears: 15 }, resolveRuleSet('nd115')).eligible).toBe(true);
  });

  it.each([
    ['2025-03-31', true, 'Decree 138/2020 Art. 14: filed on the last day'],
    ['2025-04-01', false, 'filed the day after closing'],
    ['2025-02-28', false, 'filed before opening'],
  ])('when registered on %s (window 2025-03-01 – 2025-03-31), then eligible is %s (%s)', (registeredOn, eligible) => {
    const r = checkEligibility({ ...ok, registeredOn, opensOn: '2025-03-01' }, nd138);
    expect(r.eligible).toBe(eligible);
    if (!eligible) expect(r.reasons[0]?.code).toBe('eligibility.window_closed');
  });
});
