import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { priorityPoints, validatePriorityClaims } from '../../src/domain/priority.js';
import { resolveRuleSet } from '../../src/domain/rule-sets.js';

const nd138 = resolveRuleSet('nd138').priorityTable;
const nd115 = resolveRuleSet('nd115').priorityTable;

describe('priorityPoints: only the highest category counts (Decree 138/2020 Art. 5(2); Decree 115/2020 Art. 6(2))', () => {
  it.each([
    [[], 0, null, 'Decree 138/2020 Art. 5: no claim gives 0'],
    [['ethnic_minority'], 500, 'ethnic_minority', 'Decree 138/2020 Art. 5(1)(b): ethnic minority gives 5'],
    [['military_service', 'ethnic_minority'], 500, 'ethnic_minority', 'Decree 138/2020 Art. 5(2): 2.5 + 5 does not stack, 5 counts'],
    [['ethnic_minority', 'war_invalid', 'youth_volunteer'], 750, 'war_invalid', 'Decree 138/2020 Art. 5(2): 5 + 7.5 + 2.5 gives 7.5'],
    [['hero', 'war_invalid'], 750, 'hero', 'Decree 138/2020 Art. 5(1)(a): two 7.5 categories give 7.5, the first claimed is reported'],
    [['military_service', 'police_service'], 250, 'military_service', 'Decree 138/2020 Art. 5(1)(c): two 2.5 categories give 2.5'],
  ])('when claims are %j, then points are %i from %s (%s)', (cats: string[], points: number, category: string | null, _why: string) => {
    expect(priorityPoints(cats.map((c) => ({ category: c })), nd138)).toEqual({ points, category });
  });

  it('Decree 85/2023: when a public employee claims trade_union_officer and military_service, then 2.5 counts', () => {
    expect(priorityPoints([{ category: 'trade_union_officer' }, { category: 'military_service' }], nd115)).toEqual({ points: 250, category: 'military_service' });
    expect(priorityPoints([{ category: 'trade_union_officer' }], nd115)).toEqual({ points: 150, category: 'trade_union_officer' });
  });

  it('Decree 138/2020 Art. 5: when a civil-servant drive sees trade_union_officer, then priority.unknown_category lists it', () => {
    try {
      priorityPoints([{ category: 'trade_union_officer' }, { category: 'hero' }, { category: 'x' }], nd138);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('priority.unknown_category');
      expect((err as DomainError).details?.['unknown']).toEqual(['trade_union_officer', 'x']);
    }
  });

  it('when all claims are known, then validatePriorityClaims passes', () => {
    expect(() => validatePriorityClaims([{ category: 'officer' }], nd138)).not.toThrow();
  });

  it('when a category name collides with an Object prototype key, then it is still unknown', () => {
    expect(() => validatePriorityClaims([{ category: 'toString' }], nd138)).toThrow(DomainError);
  });
});
