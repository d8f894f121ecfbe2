import type { FastifyBaseLogger } from 'fastify';
import { periodic } from '../../periodic.js';
import type { TimelineService } from './timeline.service.js';

/**
 * Runs the timeline sweep at start and then every `intervalMs`: each due-soon or overdue step of a
 * drive under way raises drive.deadline_due_soon / drive.deadline_overdue once (the alert's key in
 * drive_timeline_alerts keeps it once when several instances sweep). One sweep at a time per process.
 */
export function startTimelineSweeps(timeline: TimelineService, intervalMs: number, log: FastifyBaseLogger) {
  return periodic(
    () =>
      timeline
        .sweep()
        .then(({ raised, failed }) => {
          if (raised > 0) log.info({ raised }, 'timeline alerts raised');
          for (const f of failed) log.warn({ err: f.error, driveId: f.driveId }, 'timeline sweep skipped a drive');
        })
        .catch((err: unknown) => log.warn({ err }, 'timeline sweep failed')),
    intervalMs,
  );
}
