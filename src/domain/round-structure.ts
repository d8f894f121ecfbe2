/**
 * Checks of a hand-built round against the exam structures of the drive's rule set (Decree 170/2025
 * Art. 9; Art. 9(4) as amended by Decree 300/2026 Art. 2). The structures are data of the rule set:
 * a rule set without them (Decree 138/2020, 115/2020, leadership) constrains nothing here.
 */
import type { JobGrade, RuleSet } from './rule-sets.js';

export type HandBuiltRound = {
  grade: JobGrade | null;
  kind: 'gate' | 'scored';
  ranking: boolean;
  foreignLanguage: boolean;
  parts: readonly { code: string; weight: number; written: boolean; markingMode: string }[];
};

export type StructureViolation = { code: 'round.weights_not_lawful' | 'round.structure_mismatch'; message: string; details: Record<string, unknown> };

/** The written : interview weights of the rule set's written-and-interview round (Art. 9(2)(b): 70 : 30), or null. */
export function writtenInterviewWeights(ruleSet: Pick<RuleSet, 'structures' | 'roundDefaults'>): { written: number; interview: number } | null {
  const rounds = [...Object.values(ruleSet.structures ?? {}).flatMap((s) => s ?? []), ...(ruleSet.roundDefaults ?? [])];
  const combined = rounds.find((r) => r.format === 'written_and_interview');
  if (!combined) return null;
  const written = combined.parts.find((p) => p.written && p.weight > 0);
  const interview = combined.parts.find((p) => !p.written && p.weight > 0);
  return written && interview ? { written: written.weight, interview: interview.weight } : null;
}

/**
 * The first way a hand-built round departs from the structure the rule set gives its grade, or null:
 * - a ranking round of one weighted written part and one weighted oral/interview part combines them as
 *   the rule set's written-and-interview round does (Art. 9(2)(b): 70 % written, 30 % interview);
 * - nhân viên sit one oral or practical exam (Art. 9(1)): no written part, no gate round;
 * - chuyên viên chính (Art. 9(3)) and cao cấp (Art. 9(4): the Đề án) sit one round: no gate round;
 *   the Đề án is defended before a panel (Art. 9(4)).
 * A foreign-language round (Art. 9(5)) is a condition outside the structure.
 */
export function structureViolation(ruleSet: Pick<RuleSet, 'structures' | 'roundDefaults'>, round: HandBuiltRound): StructureViolation | null {
  if (!ruleSet.structures || round.foreignLanguage) return null;
  const weighted = round.parts.filter((p) => p.weight > 0);
  const lawful = writtenInterviewWeights(ruleSet);
  if (round.ranking && lawful && weighted.length === 2) {
    const written = weighted.find((p) => p.written);
    const interview = weighted.find((p) => !p.written);
    if (written && interview && written.weight * lawful.interview !== interview.weight * lawful.written) {
      return {
        code: 'round.weights_not_lawful',
        message: `Written and interview combine ${lawful.written} : ${lawful.interview} (Decree 170/2025 Art. 9(2)(b)); parts ${written.code} and ${interview.code} weigh ${written.weight} : ${interview.weight}`,
        details: { expected: { written: lawful.written, interview: lawful.interview }, given: { [written.code]: written.weight, [interview.code]: interview.weight } },
      };
    }
  }
  const structure = round.grade ? ruleSet.structures[round.grade] : undefined;
  if (!round.grade || !structure) return null;
  const hasGate = structure.some((r) => r.purpose === 'gate');
  if (round.kind === 'gate' && !hasGate) {
    return {
      code: 'round.structure_mismatch',
      message: `Grade ${round.grade} sits ${structure.length === 1 ? 'one round' : 'no gate round'} (Decree 170/2025 Art. 9(${round.grade === 'nhan_vien' ? 1 : round.grade === 'chuyen_vien_chinh' ? 3 : 4})): it has no gate round`,
      details: { grade: round.grade, formats: structure.map((r) => r.format) },
    };
  }
  const formats = new Set(structure.map((r) => r.format));
  if (formats.has('oral_or_practical') && formats.size === 1 && round.parts.some((p) => p.written)) {
    return {
      code: 'round.structure_mismatch',
      message: 'Nhân viên sit an oral or practical exam (Decree 170/2025 Art. 9(1)): a written part is not part of their structure',
      details: { grade: round.grade, writtenParts: round.parts.filter((p) => p.written).map((p) => p.code) },
    };
  }
  if (formats.has('project') && formats.size === 1 && round.parts.some((p) => p.weight > 0 && p.markingMode !== 'panel')) {
    return {
      code: 'round.structure_mismatch',
      message: 'The Đề án is presented and defended before a panel (Decree 170/2025 Art. 9(4)): its parts are panel-marked',
      details: { grade: round.grade, parts: round.parts.filter((p) => p.markingMode !== 'panel').map((p) => p.code) },
    };
  }
  return null;
}
