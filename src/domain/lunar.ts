import { getSolarDate } from '@dqcai/vn-lunar';
import { DomainError } from './errors.js';

/*
 * Lunar dates of the Vietnamese calendar (âm lịch), needed for Tết and the Hùng Kings'
 * commemoration (Labour Code 2019 Art. 112(1)(b), (e)).
 *
 * The Vietnamese calendar is computed for UTC+7; the Chinese one for UTC+8, and they differ by a
 * day in some years (Tết 1985: VN 21 Jan vs CN 20 Feb; Tết 2007: VN 17 Feb vs CN 18 Feb; Tết 2030:
 * 2 vs 3 Feb). We use @dqcai/vn-lunar 1.0.1 (MIT, typed, no dependencies): it reads Hồ Ngọc Đức's
 * tables of the Vietnamese calendar, so its answers do not depend on the process's time zone.
 * Checked before adoption against Hồ Ngọc Đức's algorithm at timeZone 7 (the reference): the same
 * lunar date for every day of 1968–2053. Rejected: `amlich` 0.0.2 (the same algorithm, but under a
 * "personal, non-commercial use" notice, untyped, and it yields "day 0" around some new moons, e.g.
 * 2054-05-07) and `vietnamese-lunar-calendar` 0.0.6 (its LunarDate uses the host's UTC offset: on a
 * UTC server it puts Tết 2024 on 9 Feb instead of 10 Feb). No candidate is actively maintained, so
 * test/unit/lunar.test.ts pins the answers we rely on.
 */

/** Years answered for: the library covers 1200–2199; its UTC+7 answers were verified from 1968. */
export const LUNAR_MIN_YEAR = 1968;
export const LUNAR_MAX_YEAR = 2100;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The solar date 'YYYY-MM-DD' of a (non-leap) lunar day/month of lunar year `year`. */
export function lunarToSolar(day: number, month: number, year: number): string {
  if (!Number.isInteger(year) || year < LUNAR_MIN_YEAR || year > LUNAR_MAX_YEAR) {
    throw new DomainError('calendar.out_of_range', `The calendar covers ${LUNAR_MIN_YEAR}–${LUNAR_MAX_YEAR}`, { year });
  }
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1 || day > 30) {
    throw new DomainError('date.invalid', 'Invalid lunar date', { day, month, year });
  }
  const s: { day: number; month: number; year: number } = getSolarDate(day, month, year, false);
  return `${pad(s.year, 4)}-${pad(s.month)}-${pad(s.day)}`;
}

/** Mùng 1 Tết: the first day of lunar year `year`. */
export const lunarNewYear = (year: number): string => lunarToSolar(1, 1, year);

/** Giỗ Tổ Hùng Vương: the 10th day of the 3rd lunar month. */
export const hungKingsDay = (year: number): string => lunarToSolar(10, 3, year);
