import { and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Caller } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { conflict, notFound } from '../../errors.js';
import { callerOf } from '../../http/auth.js';
import { problems } from '../../http/openapi.js';
import { idParams, text, timestamp, uuid } from '../../http/primitives.js';
import type { Role } from '../api-keys/api-keys.table.js';
import { audited } from '../audit/audit.writer.js';
import { candidateBars } from '../candidates/candidates.table.js';
import type { DrivesRepository } from '../drives/drives.repository.js';
import { applications } from './applications.table.js';

/*
 * A registrant found to have cheated in the registration form or to have used invalid diplomas is
 * not accepted by that recruiting authority for one next recruitment (170/2025 Art. 18(2) para. 2;
 * 300/2026 Art. 5(3); 115/2020 Art. 17(2) para. 2): ANY registrant, not only a winner. A winner's
 * finding strikes off their path (POST /v1/appointments/{id}/strike-off, which sets the same bar);
 * this records the finding for anyone else. The bar (candidate_bars with the source drive) applies
 * to the authority's next drive only (candidates.repository.ts barApplies).
 */

export const fraudFindingBody = z
  .strictObject({
    kind: z.enum(['fraud', 'invalid_diplomas']).describe('fraud in the registration form | diplomas or certificates not as required'),
    note: text(1000).optional(),
  })
  .meta({ id: 'RecordFraudFinding' });

export const fraudFindingSchema = z
  .object({
    applicationId: uuid,
    candidateId: uuid,
    kind: z.enum(['fraud', 'invalid_diplomas']),
    authorityAgencyId: uuid.describe('The recruiting authority whose next recruitment will not accept the person'),
    sourceDriveId: uuid,
    barId: uuid,
    createdAt: timestamp,
  })
  .meta({ id: 'FraudFinding' });

export function createFraudFindings(deps: { db: Db; drives: DrivesRepository }) {
  const { db, drives } = deps;
  return {
    async record(caller: Caller, applicationId: string, input: z.infer<typeof fraudFindingBody>) {
      return audited(db, caller.actor, async (tx, record) => {
        const [app] = await tx.select().from(applications).where(eq(applications.id, applicationId)).for('update');
        if (!app) throw notFound('application', applicationId);
        const drive = await drives.findById(app.driveId, tx);
        if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('application', applicationId);
        const existing = await tx
          .select({ id: candidateBars.id })
          .from(candidateBars)
          .where(and(eq(candidateBars.candidateId, app.candidateId), eq(candidateBars.sourceDriveId, drive.id)));
        if (existing.length > 0) throw conflict('application.fraud_already_found', 'A bar from this drive is already recorded for the person', { barId: existing[0]!.id });
        const [bar] = await tx
          .insert(candidateBars)
          .values({ id: newId(), candidateId: app.candidateId, reason: 'fraud', sourceDriveId: drive.id, drivesRemaining: 1 })
          .returning();
        record({
          action: 'application.fraud_found',
          resourceType: 'application',
          resourceId: app.id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { kind: input.kind, note: input.note ?? null },
        });
        record({
          action: 'candidate.barred',
          resourceType: 'candidate',
          resourceId: app.candidateId,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          after: { reason: 'fraud', kind: input.kind, sourceDriveId: drive.id, authorityAgencyId: drive.organizingAgencyId },
        });
        return {
          applicationId: app.id,
          candidateId: app.candidateId,
          kind: input.kind,
          authorityAgencyId: drive.organizingAgencyId,
          sourceDriveId: drive.id,
          barId: bar!.id,
          createdAt: bar!.createdAt,
        };
      });
    },
  };
}
export type FraudFindings = ReturnType<typeof createFraudFindings>;

const FINDERS: readonly Role[] = ['council', 'organizer'];

export const fraudFindingRoutes: FastifyPluginAsyncZod<{ findings: FraudFindings }> = async (app, { findings }) => {
  app.post('/applications/:id/fraud-finding', {
    config: { roles: FINDERS },
    schema: {
      operationId: 'recordFraudFinding',
      tags: ['applications'],
      summary: 'Record that a registrant cheated in the form or used invalid diplomas: barred from the authority’s next recruitment',
      description:
        'Any registrant, winner or not (170/2025 Art. 18(2) para. 2; 300/2026 Art. 5(3); 115/2020 Art. 17(2) para. 2). The person’s next ' +
        'application to a drive of the same organising agency whose registration opens after today is refused with 422 application.barred ' +
        '(the authority, the drive that caused it and when it ends); the bar is spent when that drive’s registration closes. 409 ' +
        'application.fraud_already_found when this drive already barred the person. For a winner, strike off their path instead ' +
        '(POST /v1/appointments/{id}/strike-off), which sets the same bar.',
      params: idParams,
      body: fraudFindingBody,
      response: { 201: fraudFindingSchema, ...problems(404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await findings.record(callerOf(request), request.params.id, request.body)),
  });
};
