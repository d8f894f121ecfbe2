import type { FastifyBaseLogger } from 'fastify';
import { periodic } from '../../periodic.js';
import type { AuditService } from './audit.service.js';

/**
 * Signs a checkpoint of the stream heads at start and then every `intervalMs` (several instances
 * may run it: one signs at a time, and nothing is signed when no stream moved). A checkpoint bounds
 * what a rewrite of the database could hide: after it, a deleted stream or truncated tail fails
 * verification. A chain that does not verify is logged as an error and not signed.
 */
export function startAuditCheckpoints(audit: AuditService, intervalMs: number, log: FastifyBaseLogger) {
  return periodic(
    () =>
      audit
        .createCheckpoint()
        .then(({ checkpoint, created }) => {
          if (created && checkpoint) log.info({ checkpointId: checkpoint.id }, 'audit checkpoint signed');
        })
        .catch((err: unknown) => log.error({ err }, 'audit checkpoint not signed')),
    intervalMs,
  );
}
