import type { FastifyBaseLogger } from 'fastify';
import { periodic } from '../../periodic.js';
import type { AppointmentsService } from './appointments.service.js';

/**
 * Runs the appointments sweep at start and then every `intervalMs`: each due-soon or overdue step
 * of a winner's path raises appointment.step_due_soon / appointment.step_overdue once, and under
 * 300 a passed dossier or take-up deadline strikes the person off (300 Art. 5(3), 6(3)).
 */
export function startAppointmentSweeps(appointments: AppointmentsService, intervalMs: number, log: FastifyBaseLogger) {
  return periodic(
    () =>
      appointments
        .sweep()
        .then(({ raised, failed }) => {
          if (raised > 0) log.info({ raised }, 'appointment alerts raised');
          for (const f of failed) log.warn({ err: f.error, driveId: f.driveId }, 'appointment sweep skipped a drive');
        })
        .catch((err: unknown) => log.warn({ err }, 'appointment sweep failed')),
    intervalMs,
  );
}
