import type { Caller } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import { audited, type Actor, type Record as RecordAudit } from '../audit/audit.writer.js';
import { generateApiKey } from './api-keys.crypto.js';
import type { ApiKeysRepository } from './api-keys.repository.js';
import { MEMBER_ONLY_ROLES, type ApiKeyRow, type Role } from './api-keys.table.js';

const view = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  agencyId: k.agencyId,
  prefix: k.prefix,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});

export type CreateKeyInput = { name: string; role: Role; agencyId?: string | null | undefined };

/** Runs in the revoking transaction: what the key set up stops with it (its webhook subscriptions). */
export type OnKeyRevoked = (tx: Tx, keyId: string, record: RecordAudit) => Promise<void>;

export function createApiKeysService(deps: { db: Db; repo: ApiKeysRepository; agencies: AgenciesRepository; onRevoked?: OnKeyRevoked }) {
  const { db, repo } = deps;

  async function create(actor: Actor, input: CreateKeyInput) {
    // A supervisor is a person on a drive's supervision board: such keys are bound to the member (boards module).
    if (MEMBER_ONLY_ROLES.includes(input.role)) {
      throw unprocessable('api_key.member_role', `Role ${input.role} is given only to keys bound to a board member: POST /v1/drives/{id}/boards/members/{memberId}/keys`);
    }
    return audited(db, actor, async (tx, record) => {
      if (input.agencyId && !(await deps.agencies.findById(input.agencyId, tx))) {
        throw unprocessable('api_key.agency_not_found', `No agency ${input.agencyId}`);
      }
      const { secret, hash, prefix } = generateApiKey();
      const row = await repo.insert(tx, {
        id: newId(),
        name: input.name,
        role: input.role,
        agencyId: input.agencyId ?? null,
        keyHash: hash,
        prefix,
        createdBy: actor.keyId,
      });
      record({ action: 'api_key.created', resourceType: 'api_key', resourceId: row.id, agencyId: row.agencyId, after: view(row) });
      return { ...view(row), key: secret };
    });
  }

  return {
    create: (caller: Caller, input: CreateKeyInput) => create(caller.actor, input),
    /** For the CLI and first start: no caller key exists yet. */
    createAs: create,
    async list(limit: number, afterId: string | undefined) {
      return (await repo.list({ limit: limit + 1, afterId })).map(view);
    },
    async revoke(caller: Caller, id: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const before = await repo.findById(tx, id);
        if (!before) throw notFound('api_key', id);
        if (id === caller.actor.keyId) throw conflict('api_key.self_revoke', 'A key cannot revoke itself');
        const row = await repo.revoke(tx, id, new Date());
        if (!before.revokedAt) await deps.onRevoked?.(tx, id, record);
        record({ action: 'api_key.revoked', resourceType: 'api_key', resourceId: id, agencyId: before.agencyId, before: view(before), after: view(row!) });
        return view(row!);
      });
    },
    countActive: () => repo.countActive(),
  };
}
export type ApiKeysService = ReturnType<typeof createApiKeysService>;
