import type { Role } from '../modules/api-keys/api-keys.table.js';

// Role groups used by route configs (admin is always allowed).
export const STAFF: readonly Role[] = ['organizer', 'registrar', 'anonymizer', 'council', 'approver', 'auditor'];
export const READERS: readonly Role[] = ['organizer', 'registrar', 'council', 'approver', 'auditor'];
export const ORGANIZERS: readonly Role[] = ['organizer'];
export const AUDITORS: readonly Role[] = ['auditor'];
