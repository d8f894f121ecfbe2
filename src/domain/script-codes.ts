import { randomInt, randomUUID } from 'node:crypto';

/*
 * Anonymous script codes (số phách). The anonymisation board gives each script a random code that
 * is not the candidate number (DOMAIN.md "Anonymous marking"): codes come from a CSPRNG and carry
 * no information about the candidate, the application or the order of issue. The alphabet leaves
 * out characters people confuse on paper (0/O, 1/I/L), so a code copied by hand stays exact.
 */
export const SCRIPT_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const SCRIPT_CODE_LENGTH = 8;
export const SCRIPT_CODE_PATTERN = new RegExp(`^[${SCRIPT_CODE_ALPHABET}]{${SCRIPT_CODE_LENGTH}}$`);

export type RandomIndex = (maxExclusive: number) => number;

/** One random code: 8 characters from a 31-letter alphabet (≈ 8.5 × 10¹¹ codes). */
export function newScriptCode(random: RandomIndex = randomInt): string {
  let code = '';
  for (let i = 0; i < SCRIPT_CODE_LENGTH; i++) code += SCRIPT_CODE_ALPHABET[random(SCRIPT_CODE_ALPHABET.length)];
  return code;
}

/**
 * `count` new codes, distinct from each other and from `taken` (the codes already issued in the
 * round). A collision is astronomically rare but simply drawn again.
 */
export function newScriptCodes(count: number, taken: ReadonlySet<string>, random: RandomIndex = randomInt): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const code = newScriptCode(random);
    if (!taken.has(code)) out.add(code);
  }
  return [...out];
}

/** Normalises a code typed by a marker (case, surrounding spaces); null if it cannot be a code. */
export function normalizeScriptCode(input: string): string | null {
  const code = input.trim().toUpperCase();
  return SCRIPT_CODE_PATTERN.test(code) ? code : null;
}

/**
 * The items in a random order (Fisher–Yates on a CSPRNG): scripts are issued in no order that
 * follows the applications, so neither their ids, their codes nor their order of insertion pairs
 * them with applications.
 */
export function shuffled<T>(items: readonly T[], random: RandomIndex = randomInt): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A script id: a random UUID (v4), never time-ordered like the other ids (an id sorts like nothing). */
export const newScriptId = (): string => randomUUID();
