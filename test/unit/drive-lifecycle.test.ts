import { describe, expect, it } from 'vitest';
import {
  DRIVE_STATUSES,
  allowedFrom,
  planTransition,
  requiresReason,
  statusAfter,
  transitionsFrom,
  type DriveStatusValue,
  type DriveTransitionTarget,
} from '../../src/domain/drive-lifecycle.js';
import { driveStatuses } from '../../src/modules/drives/drives.table.js';

const ready = { quotas: 1, registrationOpensOn: '2025-03-01', registrationClosesOn: '2025-03-31', activeApplications: 1, reason: 'r' };

describe('drive lifecycle table (DOMAIN.md "Drive lifecycle")', () => {
  it('when the domain lists statuses, then they are the table’s statuses', () => {
    expect([...DRIVE_STATUSES]).toEqual([...driveStatuses]);
  });

  it.each<[DriveStatusValue, DriveTransitionTarget, DriveStatusValue]>([
    ['draft', 'open', 'open'],
    ['open', 'closed', 'closed'],
    ['closed', 'examining', 'examining'],
    ['examining', 'marking', 'marking'],
    ['marking', 'results_computed', 'results_computed'],
    ['results_computed', 'results_computed', 'results_computed'],
    ['results_computed', 'submitted', 'submitted'],
    ['submitted', 'approved', 'approved'],
    ['submitted', 'returned', 'results_computed'],
    ['approved', 'published', 'published'],
    ['published', 'finished', 'finished'],
    ['draft', 'cancelled', 'cancelled'],
    ['marking', 'cancelled', 'cancelled'],
    ['published', 'cancelled', 'cancelled'],
  ])('when a drive in %s goes to %s, then it lands on %s', (from, to, status) => {
    expect(planTransition(from, to, ready)).toEqual({ ok: true, from, to, status });
  });

  it.each<[DriveStatusValue, DriveTransitionTarget]>([
    ['draft', 'closed'],
    ['open', 'examining'],
    ['open', 'open'],
    ['results_computed', 'published'],
    ['submitted', 'published'],
    ['approved', 'returned'],
    ['finished', 'cancelled'],
    ['cancelled', 'open'],
    ['finished', 'finished'],
  ])('when a drive in %s asks for %s, then drive.invalid_transition', (from, to) => {
    const outcome = planTransition(from, to, ready);
    expect(outcome).toMatchObject({ ok: false, code: 'drive.invalid_transition' });
  });

  it('when finishing before results are published, then precondition_failed naming publication', () => {
    const outcome = planTransition('approved', 'finished', ready);
    expect(outcome).toMatchObject({ ok: false, code: 'drive.precondition_failed' });
    expect(!outcome.ok && outcome.message).toMatch(/published/);
  });

  it.each([
    [{ ...ready, quotas: 0 }, /quota/],
    [{ ...ready, registrationOpensOn: null }, /registration window/],
    [{ ...ready, registrationClosesOn: '2025-02-01' }, /before it opens/],
  ])('when opening without what registration needs, then precondition_failed (%#)', (facts, message) => {
    const outcome = planTransition('draft', 'open', facts);
    expect(outcome).toMatchObject({ ok: false, code: 'drive.precondition_failed' });
    expect(!outcome.ok && outcome.message).toMatch(message);
  });

  it('when examining with no submitted or eligible application, then precondition_failed', () => {
    expect(planTransition('closed', 'examining', { activeApplications: 0 })).toMatchObject({ ok: false, code: 'drive.precondition_failed' });
  });

  it('when cancelling or returning without a reason, then precondition_failed', () => {
    expect(requiresReason('cancelled') && requiresReason('returned')).toBe(true);
    expect(planTransition('open', 'cancelled', {})).toMatchObject({ ok: false, code: 'drive.precondition_failed' });
    expect(planTransition('submitted', 'returned', { reason: '  ' })).toMatchObject({ ok: false, code: 'drive.precondition_failed' });
  });

  it('when listing transitions from a status, then they match the table', () => {
    expect(transitionsFrom('draft')).toEqual(['open', 'cancelled']);
    expect(transitionsFrom('submitted')).toEqual(['approved', 'cancelled', 'returned']);
    expect(transitionsFrom('finished')).toEqual([]);
    expect(transitionsFrom('cancelled')).toEqual([]);
    expect(allowedFrom('cancelled')).not.toContain('finished');
    expect(statusAfter('returned')).toBe('results_computed');
  });
});
