import { DomainError } from './errors.js';

/** NFC, trimmed, inner whitespace collapsed to single spaces. */
export function normalizeName(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/**
 * Lower-case, diacritics removed (đ/Đ → d), single spaces: lets people search 'nguyen van an'
 * for 'Nguyễn Văn An'. Not for display.
 */
export function searchKey(s: string): string {
  return normalizeName(s)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase()
    .normalize('NFC');
}

/** Splits a Vietnamese full name: the given name (tên) is the last word. */
export function splitVietnameseName(fullName: string): { givenName: string; rest: string } {
  const words = normalizeName(fullName).split(' ').filter((w) => w.length > 0);
  const givenName = words.at(-1);
  if (givenName === undefined) throw new DomainError('name.invalid', 'A name cannot be empty');
  return { givenName, rest: words.slice(0, -1).join(' ') };
}

// Vietnamese collation orders letters a ă â b c d đ e ê …, then tones; 'An' < 'Anh' < 'Ánh'.
const collator = new Intl.Collator('vi', { sensitivity: 'variant', usage: 'sort' });

export interface NameOrderKey {
  fullName: string;
  /**
   * Final deterministic tiebreak supplied by the caller for identical names, e.g. the
   * registration timestamp (ISO string) or a date of birth. Compared as strings or numbers.
   */
  tiebreak: string | number;
}

/**
 * Order used to print exam lists and assign candidate numbers (số báo danh): given name first,
 * then the rest of the name (family + middle), with Vietnamese collation, then the caller's tiebreak.
 */
export function candidateNumberOrder(a: NameOrderKey, b: NameOrderKey): number {
  const na = splitVietnameseName(a.fullName);
  const nb = splitVietnameseName(b.fullName);
  const byGiven = collator.compare(na.givenName, nb.givenName);
  if (byGiven !== 0) return byGiven;
  const byRest = collator.compare(na.rest, nb.rest);
  if (byRest !== 0) return byRest;
  if (typeof a.tiebreak === 'number' && typeof b.tiebreak === 'number') return a.tiebreak - b.tiebreak;
  const ta = String(a.tiebreak);
  const tb = String(b.tiebreak);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** 'HN', 7 → 'HN0007' (width 4 by default; wider numbers are never truncated). */
export function formatCandidateNumber(prefix: string, n: number, width = 4): string {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new DomainError('name.invalid', 'Candidate numbers start at 1', { n });
  }
  return `${prefix}${String(n).padStart(width, '0')}`;
}

/**
 * Assigns candidate numbers in list order when registration closes. Returns a new array in
 * number order; numbers are 1..n after `startAt - 1`.
 */
export function assignCandidateNumbers<T extends NameOrderKey>(
  entries: readonly T[],
  prefix: string,
  options: { startAt?: number; width?: number } = {},
): (T & { candidateNumber: string; sequence: number })[] {
  const start = options.startAt ?? 1;
  return [...entries]
    .sort(candidateNumberOrder)
    .map((e, i) => ({ ...e, sequence: start + i, candidateNumber: formatCandidateNumber(prefix, start + i, options.width) }));
}
