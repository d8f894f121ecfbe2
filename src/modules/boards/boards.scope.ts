import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { applications } from '../applications/applications.table.js';
import { quotas } from '../quotas/quotas.table.js';
import { results } from '../results/results.table.js';
import { appeals, rounds } from '../rounds/rounds.table.js';

/*
 * A key bound to a board member is scoped to its drive: it reaches the drive's resources only.
 * Each route family names its drive through its first path parameter; routes that are not about
 * one drive (agencies, candidates, the audit trail, keys) are refused to member keys.
 */

type Resolver = (db: Db, id: string) => Promise<string | undefined>;

const one = async (rows: Promise<{ driveId: string }[]>) => (await rows)[0]?.driveId;

const RESOLVERS: [prefix: string, resolve: Resolver][] = [
  ['/v1/drives/:id', async (_db, id) => id],
  ['/v1/reports/drives/:id', async (_db, id) => id],
  ['/v1/rounds/:id', (db, id) => one(db.select({ driveId: rounds.driveId }).from(rounds).where(eq(rounds.id, id)))],
  ['/v1/applications/:id', (db, id) => one(db.select({ driveId: applications.driveId }).from(applications).where(eq(applications.id, id)))],
  ['/v1/quotas/:id', (db, id) => one(db.select({ driveId: quotas.driveId }).from(quotas).where(eq(quotas.id, id)))],
  ['/v1/results/:id', (db, id) => one(db.select({ driveId: results.driveId }).from(results).where(eq(results.id, id)))],
  [
    '/v1/appeals/:id',
    (db, id) => one(db.select({ driveId: applications.driveId }).from(appeals).innerJoin(applications, eq(applications.id, appeals.applicationId)).where(eq(appeals.id, id))),
  ],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const memberDriveScope = fp(
  async (app: FastifyInstance, opts: { db: Db }) => {
    app.addHook('onRequest', async (request) => {
      const member = request.principal?.member;
      const url = request.routeOptions.url;
      if (!member || !url) return;
      const entry = RESOLVERS.find(([prefix]) => url === prefix || url.startsWith(`${prefix}/`));
      if (!entry) throw new AppError(403, 'member_key.outside_drive', `A key bound to a board member reaches only its drive's resources, not ${request.method} ${url}`);
      const id = (request.params as { id?: string }).id;
      // A malformed id is left to validation (400); an id of another drive reads as not found.
      if (!id || !UUID.test(id)) return;
      const driveId = await entry[1](opts.db, id);
      if (driveId !== undefined && driveId !== member.driveId) {
        throw new AppError(404, 'resource.not_found', `No such resource ${id} for this key`);
      }
    });
  },
  { name: 'member-drive-scope', dependencies: ['auth'] },
);
