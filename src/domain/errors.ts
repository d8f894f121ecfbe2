/**
 * The one error type raised by pure domain rules. The HTTP layer maps it to
 * 422 problem+json; clients branch on `code`, never on `message`.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

/** Stable codes raised by src/domain. Other codes may be added; existing ones never change meaning. */
export const DOMAIN_ERROR_CODES = [
  'score.invalid',
  'decimal.invalid',
  'date.invalid',
  'rule_set.invalid',
  'rule_set.unknown_preset',
  'rule_set.not_in_force',
  'rule_set.provisional_not_applicable',
  'priority.unknown_category',
  'reconciliation.invalid',
  'ranking.invalid_input',
  'tie_decision.invalid',
  'promotion.invalid',
  'promotion.tie_pending',
  'national_id.invalid',
  'name.invalid',
  'calendar.out_of_range',
  'calendar.invalid',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];
