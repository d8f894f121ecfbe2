import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { boardMemberKeys, boardMembers, type Board, type Seat } from '../boards/boards.table.js';
import { apiKeys, type ApiKeyRow, type Role } from './api-keys.table.js';

export type KeyPrincipal = {
  keyId: string;
  name: string;
  role: Role;
  agencyId: string | null;
  agencyPath: string | null;
  /** Set when the key is bound to a board member's seat on one drive (boards module). */
  member: MemberBinding | null;
};

export type MemberBinding = { id: string; driveId: string; board: Board; seat: Seat; fullName: string };

/**
 * The key lookup behind every authenticated request, built once: a named prepared statement skips
 * building the SQL text on each call, and PostgreSQL parses and plans it once per connection.
 * Only the statement is reused, never its answer: a revoked key is refused on its next request.
 * (Named statements need a session per client: behind pgbouncer, use session pooling.)
 */
function prepareKeyLookup(db: DbOrTx) {
  return db
    .select({
      keyId: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      agencyId: apiKeys.agencyId,
      agencyPath: agencies.path,
      memberId: boardMembers.id,
      memberDriveId: boardMembers.driveId,
      memberBoard: boardMembers.board,
      memberSeat: boardMembers.seat,
      memberName: boardMembers.fullName,
    })
    .from(apiKeys)
    .leftJoin(agencies, eq(agencies.id, apiKeys.agencyId))
    .leftJoin(boardMemberKeys, eq(boardMemberKeys.keyId, apiKeys.id))
    .leftJoin(boardMembers, eq(boardMembers.id, boardMemberKeys.memberId))
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare('api_key_by_hash');
}

export function createApiKeysRepository(db: DbOrTx) {
  let keyLookup: ReturnType<typeof prepareKeyLookup> | undefined;
  return {
    async findActiveByHash(hash: string): Promise<KeyPrincipal | undefined> {
      keyLookup ??= prepareKeyLookup(db);
      const [row] = await keyLookup.execute({ hash });
      if (!row) return undefined;
      const { memberId, memberDriveId, memberBoard, memberSeat, memberName, ...key } = row;
      return {
        ...key,
        member: memberId && memberDriveId && memberBoard && memberSeat && memberName ? { id: memberId, driveId: memberDriveId, board: memberBoard, seat: memberSeat, fullName: memberName } : null,
      };
    },
    async insert(tx: DbOrTx, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
      const [created] = await tx.insert(apiKeys).values(row).returning();
      return created!;
    },
    async findById(tx: DbOrTx, id: string): Promise<ApiKeyRow | undefined> {
      const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row;
    },
    async list(opts: { limit: number; afterId?: string | undefined }): Promise<ApiKeyRow[]> {
      return db
        .select()
        .from(apiKeys)
        .where(opts.afterId ? lt(apiKeys.id, opts.afterId) : undefined)
        .orderBy(desc(apiKeys.id))
        .limit(opts.limit);
    },
    async revoke(tx: DbOrTx, id: string, at: Date): Promise<ApiKeyRow | undefined> {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${at.toISOString()}::timestamptz)` })
        .where(eq(apiKeys.id, id))
        .returning();
      return row;
    },
    async countActive(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(apiKeys).where(isNull(apiKeys.revokedAt));
      return row?.n ?? 0;
    },
  };
}
export type ApiKeysRepository = ReturnType<typeof createApiKeysRepository>;
