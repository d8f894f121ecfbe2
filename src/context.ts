import type { Role } from './modules/api-keys/api-keys.table.js';
import type { MemberBinding } from './modules/api-keys/api-keys.repository.js';
import type { Actor } from './modules/audit/audit.writer.js';

/**
 * What a service knows of its caller: who (for the audit trail) and which agency subtree it may
 * see. `scopePath` is the materialised path of the key's agency, or null for an unscoped key.
 */
export type Caller = {
  actor: Actor;
  role: Role | 'public';
  scopePath: string | null;
  scopeAgencyId: string | null;
  /** The board member the key is bound to (a person's act), or none for a role key. */
  member?: MemberBinding | null;
};

/** Whether an agency (by its materialised path) lies in the caller's subtree. */
export const inScope = (caller: Pick<Caller, 'scopePath'>, agencyPath: string) =>
  caller.scopePath === null || agencyPath.startsWith(caller.scopePath);

export type Clock = () => Date;
