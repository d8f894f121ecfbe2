/**
 * The foreign-language condition of Decree 170/2025 Art. 9(5): where the recruitment plan requires a
 * foreign language for a position, the recruiting authority sets the language, the form and "điểm số
 * đạt kết quả" (the pass mark); "Điểm thi ngoại ngữ là điểm điều kiện và không tính vào điểm thi nghiệp
 * vụ chuyên ngành" (a condition, never counted in the score); the exam is finished before the
 * professional exam, and only "trường hợp đạt kết quả thi ngoại ngữ thì được dự thi nghiệp vụ chuyên
 * ngành". The decree states no exemption: a candidate of such a position who is absent has not passed.
 */

/**
 * Whether a foreign-language score passes: `score` and `max` in integer hundredths (null or undefined:
 * absent or never sat), `passMarkPercent` the agency's pass mark in percent of the maximum (up to two
 * decimals). Reaching the pass mark passes. Exact: compared in integers.
 */
export function passesForeignLanguage(score: number | null | undefined, max: number, passMarkPercent: number): boolean {
  if (score === null || score === undefined || score < 0 || max <= 0) return false;
  const markHundredths = Math.round(passMarkPercent * 100);
  return score * 10000 >= markHundredths * max;
}

/** The reason shown on a result failed on the condition (Art. 9(5)). */
export function foreignLanguageFailure(language: string | null, passMarkPercent: number, parts: { code: string; score: string | null; max: string }[]): string {
  const what = language ? `foreign-language exam (${language})` : 'foreign-language exam';
  const detail = parts.map((p) => (p.score === null ? `${p.code}: absent` : `${p.code}: ${p.score} of ${p.max}`)).join(', ');
  return `Did not pass the ${what} required for the position, pass mark ${passMarkPercent} % (Decree 170/2025 Art. 9(5))${detail ? `: ${detail}` : ''}`;
}

/** A language as the plan names it, compared without case, accents' encoding or surrounding spaces ("Tiếng Anh" = "tiếng anh"). */
export function languageKey(language: string): string {
  return language.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
}

/**
 * Whether a foreign-language round examines a quota's language: a round naming no language examines
 * every required language; one naming a language, only the quotas requiring it.
 */
export function examinesLanguage(roundLanguage: string | null, required: string | null): boolean {
  return roundLanguage === null || (required !== null && languageKey(roundLanguage) === languageKey(required));
}

/** The distinct languages quotas require, in first-seen order, as the plan spells them first (null: a language the plan does not name). */
export function distinctLanguages(required: readonly (string | null)[]): (string | null)[] {
  const seen = new Map<string, string | null>();
  for (const l of required) {
    const key = l === null ? '' : languageKey(l);
    if (!seen.has(key)) seen.set(key, l === null ? null : l.trim());
  }
  return [...seen.values()];
}
