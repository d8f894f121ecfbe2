import { describe, expect, it } from 'vitest';
import { disciplinedScore, heaviestAct } from '../../src/domain/discipline.js';
import { pts } from './fixtures.js';

const act = (kind: 'reprimand' | 'warning' | 'suspension' | 'cancellation') => ({ kind, minuteRef: `BB-${kind}` });

describe('candidate discipline, Circular 22/2025 Nội quy Art. 2', () => {
  it.each([
    ['80', 'reprimand', 6000, 25, 'Art. 2(2): reprimand −25 %: 80 → 60'],
    ['72.35', 'reprimand', 5426, 25, 'Art. 2(2): 54.2625 → 54.26 (2 decimals, half up)'],
    ['72.34', 'reprimand', 5426, 25, 'Art. 2(2): 54.255 → 54.26 (half up)'],
    ['80', 'warning', 4000, 50, 'Art. 2(3): warning −50 %: 80 → 40'],
    ['72.35', 'warning', 3618, 50, 'Art. 2(3): 36.175 → 36.18 (half up)'],
    ['90', 'suspension', 0, 100, 'Art. 2(4): suspension cancels the paper'],
    ['90', 'cancellation', 0, 100, 'Art. 2(5): the result is cancelled'],
  ])('when a paper scored %s has a %s, then it scores %i hundredths (−%i %%; %s)', (score: string, kind: string, expected: number, percent: number, _why: string) => {
    const d = disciplinedScore(pts(score), [act(kind as 'reprimand')]);
    expect(d).toMatchObject({ score: expected, percent });
    expect(d!.note).toContain(`BB-${kind}`);
  });

  it('Art. 2(3)(a): when a reprimanded candidate repeats and is warned, then the warning replaces the reprimand (−50 %, not −75 %)', () => {
    expect(disciplinedScore(pts('80'), [act('reprimand'), act('warning')])).toMatchObject({ score: 4000, percent: 50 });
    expect(heaviestAct([act('warning'), act('suspension'), act('reprimand')])!.kind).toBe('suspension');
  });

  it('when a paper has no act, then nothing changes', () => {
    expect(disciplinedScore(pts('80'), [])).toBeNull();
  });
});
