import { getSolarDate } from '@dqcai/vn-lunar';
import { describe, expect, it } from 'vitest';
import { hungKingsDay, lunarNewYear, lunarToSolar } from '../../src/domain/lunar.js';

// The lunar library is not actively maintained: these pin the answers the calendar relies on.
// Reference: Hồ Ngọc Đức's algorithm for the Vietnamese calendar at UTC+7 (amlich), which gave the
// same dates when the library was chosen (see src/domain/lunar.ts).
describe('the Vietnamese lunar calendar (UTC+7)', () => {
  it.each([
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2007, '2007-02-17'], // the Chinese calendar (UTC+8) has 2007-02-18
    [2030, '2030-02-02'], // the Chinese calendar has 2030-02-03
  ])('when the lunar year is %i, then Tết (1/1 âm lịch) is %s', (year, expected) => {
    expect(lunarNewYear(year)).toBe(expected);
  });

  it('when the year is 1985, then Tết is 1985-01-21 (the Chinese calendar has 1985-02-20)', () => {
    // Before the calendar's range (2021–): asked of the library directly.
    const d = getSolarDate(1, 1, 1985, false);
    expect([d.year, d.month, d.day]).toEqual([1985, 1, 21]);
  });

  it.each([
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
    [2027, '2027-04-16'],
  ])('when the lunar year is %i, then the Hùng Kings day (10/3 âm lịch) is %s', (year, expected) => {
    expect(hungKingsDay(year)).toBe(expected);
  });

  it.each([
    [2024, '2025-01-28'],
    [2025, '2026-02-16'],
    [2026, '2027-02-05'],
  ])('when lunar year %i ends, then its last day (29 tháng Chạp) is %s', (year, expected) => {
    expect(lunarToSolar(29, 12, year)).toBe(expected);
    expect(lunarToSolar(1, 1, year + 1)).toBe(
      new Date(Date.parse(`${expected}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
    );
  });

  it('when the year is outside the verified range, then calendar.out_of_range', () => {
    expect(() => lunarNewYear(1900)).toThrow(expect.objectContaining({ code: 'calendar.out_of_range' }));
    expect(() => lunarNewYear(2101)).toThrow(expect.objectContaining({ code: 'calendar.out_of_range' }));
  });
});
