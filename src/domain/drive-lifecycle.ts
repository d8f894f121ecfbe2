/*
 * The drive lifecycle (DOMAIN.md "Drive lifecycle"):
 *
 *   draft → open (registration) → closed → examining → marking → results_computed →
 *   submitted → approved → published → finished
 *
 * with `returned` (the approving authority sends submitted results back to results_computed) and
 * `cancelled` from any state that is not final. Each transition is an explicit call that checks
 * its preconditions. This file is pure: the service gathers the facts and applies the outcome.
 */

export const DRIVE_STATUSES = [
  'draft',
  'open',
  'closed',
  'examining',
  'marking',
  'results_computed',
  'submitted',
  'approved',
  'published',
  'finished',
  'cancelled',
] as const;
export type DriveStatusValue = (typeof DRIVE_STATUSES)[number];

/** What a transition asks for: a target status, or `returned` (which lands on results_computed). */
export const DRIVE_TRANSITION_TARGETS = [...DRIVE_STATUSES.filter((s) => s !== 'draft'), 'returned'] as const;
export type DriveTransitionTarget = Exclude<DriveStatusValue, 'draft'> | 'returned';

/** Targets a client may ask for through POST /drives/{id}/transitions; the rest follow the results workflow. */
export const CLIENT_TRANSITION_TARGETS = ['open', 'closed', 'examining', 'marking', 'finished', 'cancelled'] as const;
export type ClientTransitionTarget = (typeof CLIENT_TRANSITION_TARGETS)[number];

export const FINAL_STATUSES: readonly DriveStatusValue[] = ['finished', 'cancelled'];

/** Allowed `from` states for each target (cancelled is handled separately: any non-final state). */
const ALLOWED_FROM: Record<Exclude<DriveTransitionTarget, 'cancelled'>, readonly DriveStatusValue[]> = {
  open: ['draft'],
  closed: ['open'],
  examining: ['closed'],
  marking: ['examining'],
  // Results may be recomputed while not yet submitted (e.g. after a tie decision or an appeal).
  results_computed: ['marking', 'results_computed'],
  submitted: ['results_computed'],
  approved: ['submitted'],
  returned: ['submitted'],
  published: ['approved'],
  finished: ['published'],
};

/** The status a target lands on. */
export function statusAfter(to: DriveTransitionTarget): DriveStatusValue {
  return to === 'returned' ? 'results_computed' : to;
}

export const isFinal = (status: DriveStatusValue) => FINAL_STATUSES.includes(status);

/** Statuses from which `to` may be asked. */
export function allowedFrom(to: DriveTransitionTarget): readonly DriveStatusValue[] {
  if (to === 'cancelled') return DRIVE_STATUSES.filter((s) => !isFinal(s));
  return ALLOWED_FROM[to];
}

/** Targets reachable from a status (for error messages and the API's `allowedTransitions`). */
export function transitionsFrom(from: DriveStatusValue): DriveTransitionTarget[] {
  return DRIVE_TRANSITION_TARGETS.filter((to) => allowedFrom(to).includes(from));
}

/** Transitions that must say why: a cancellation and a return of results are decisions on record. */
export const requiresReason = (to: DriveTransitionTarget) => to === 'cancelled' || to === 'returned';

/**
 * Facts the preconditions look at. Only the facts a target needs must be given; a missing fact
 * that is needed counts as failing (the caller forgot to gather it).
 */
export type TransitionFacts = {
  /** Number of quotas the drive has. */
  quotas?: number;
  registrationOpensOn?: string | null;
  registrationClosesOn?: string | null;
  /** Applications with status submitted or eligible. */
  activeApplications?: number;
  reason?: string | null;
};

export type TransitionOutcome =
  | { ok: true; from: DriveStatusValue; to: DriveTransitionTarget; status: DriveStatusValue }
  | { ok: false; code: 'drive.invalid_transition' | 'drive.precondition_failed'; message: string };

const invalid = (message: string): TransitionOutcome => ({ ok: false, code: 'drive.invalid_transition', message });
const failed = (message: string): TransitionOutcome => ({ ok: false, code: 'drive.precondition_failed', message });

/** Decides whether a drive in `from` may go to `to` given the facts, and where it lands. */
export function planTransition(from: DriveStatusValue, to: DriveTransitionTarget, facts: TransitionFacts = {}): TransitionOutcome {
  if (isFinal(from)) return invalid(`The drive is ${from}; no further transitions are possible`);
  if (!allowedFrom(to).includes(from)) {
    // "Cannot publish unapproved results" and its kin: finishing needs published results first.
    if (to === 'finished') return failed(`The drive is ${from}: results must be published before the drive is finished`);
    const next = transitionsFrom(from);
    return invalid(`A drive in status ${from} cannot go to ${to}; allowed: ${next.join(', ')}`);
  }
  if (requiresReason(to) && !facts.reason?.trim()) return failed(`A reason is required to go to ${to}`);
  switch (to) {
    case 'open': {
      // Registration needs something to register for and a published window.
      if ((facts.quotas ?? 0) < 1) return failed('A drive cannot open without at least one quota');
      if (!facts.registrationOpensOn) return failed('A drive cannot open without a registration window (registrationOpensOn)');
      if (facts.registrationClosesOn && facts.registrationClosesOn < facts.registrationOpensOn) {
        return failed(`Registration closes on ${facts.registrationClosesOn}, before it opens on ${facts.registrationOpensOn}`);
      }
      break;
    }
    case 'examining': {
      if ((facts.activeApplications ?? 0) < 1) {
        return failed('Examining needs at least one application that is submitted or eligible');
      }
      break;
    }
    default:
      break;
  }
  return { ok: true, from, to, status: statusAfter(to) };
}
