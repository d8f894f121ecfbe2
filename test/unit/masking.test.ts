import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { isValidNationalId, maskName, maskNationalId, nationalIdMatchesBirthDate, validateNationalId } from '../../src/domain/masking.js';

describe('national ID (CCCD, Circular 59/2021/TT-BCA)', () => {
  it('when a 12-digit ID starts with a province code, then its parts are decoded', () => {
    expect(validateNationalId('001203004567')).toEqual({ provinceCode: '001', centuryGenderCode: 2, birthYear: 2003, sex: 'male' });
    expect(validateNationalId('079195000123')).toMatchObject({ birthYear: 1995, sex: 'female' });
  });

  it.each([
    ['00120300456', 'eleven digits'],
    ['0012030045678', 'thirteen digits'],
    ['00120300456a', 'a letter'],
    ['000203004567', 'province 000'],
    ['097203004567', 'province 097'],
    ['', 'empty'],
  ])('when the ID is %j (%s), then national_id.invalid is thrown', (id) => {
    expect(() => validateNationalId(id)).toThrow(DomainError);
    expect(isValidNationalId(id)).toBe(false);
  });

  it('when the birth year matches digits 4–6, then the ID agrees with the birth date', () => {
    expect(nationalIdMatchesBirthDate('001203004567', '2003-05-01')).toBe(true);
    expect(nationalIdMatchesBirthDate('001203004567', '1903-05-01')).toBe(false);
  });

  it('Decree 13/2023 (personal data): when published, then only the province code and the last 2 digits show', () => {
    expect(maskNationalId('001203004567')).toBe('001*******67');
    expect(maskNationalId('079195000123')).toHaveLength(12);
  });
});

describe('maskName', () => {
  it('Decree 138/2020 (results are notified publicly by name): when results are published, then the full name is shown (normalised)', () => {
    expect(maskName('  Nguyễn  Văn An ')).toBe('Nguyễn Văn An');
  });
  it('when initials are asked for, then only the given name is spelt out', () => {
    expect(maskName('Nguyễn Văn An', 'initials')).toBe('N. V. An');
  });
});
