import type { Role } from '../modules/api-keys/api-keys.table.js';

// Role groups used by route configs (admin is always allowed).
export const STAFF: readonly Role[] = ['organizer', 'registrar', 'anonymizer', 'council', 'approver', 'auditor'];
export const READERS: readonly Role[] = ['organizer', 'registrar', 'council', 'approver', 'auditor'];
export const ORGANIZERS: readonly Role[] = ['organizer'];
export const AUDITORS: readonly Role[] = ['auditor'];
// Intake (tiếp nhận): the office records it, the council reports, the head's decision comes from an approver key.
export const INTAKE_RECORDERS: readonly Role[] = ['organizer', 'registrar'];
export const INTAKE_COUNCIL_FORMERS: readonly Role[] = ['organizer', 'approver'];
export const COUNCIL: readonly Role[] = ['council'];
export const APPROVERS: readonly Role[] = ['approver'];
