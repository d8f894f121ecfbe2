import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { apiKeys, type ApiKeyRow, type Role } from './api-keys.table.js';

export type KeyPrincipal = {
  keyId: string;
  name: string;
  role: Role;
  agencyId: string | null;
  agencyPath: string | null;
};

export function createApiKeysRepository(db: DbOrTx) {
  return {
    async findActiveByHash(hash: string): Promise<KeyPrincipal | undefined> {
      const rows = await db
        .select({ keyId: apiKeys.id, name: apiKeys.name, role: apiKeys.role, agencyId: apiKeys.agencyId, agencyPath: agencies.path })
        .from(apiKeys)
        .leftJoin(agencies, eq(agencies.id, apiKeys.agencyId))
        .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
        .limit(1);
      return rows[0];
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
