import type { FastifyReply, FastifyRequest } from 'fastify';

/** RFC 7240: whether the request asks for `Prefer: respond-async`. */
export function wantsAsync(request: FastifyRequest): boolean {
  const prefer = request.headers.prefer;
  const values = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  return values.split(',').some((p) => p.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}

/** 202 Accepted for work that became a job: Location of the job, and the preference applied. */
export function accepted<T extends { id: string }>(reply: FastifyReply, job: T): T {
  void reply.code(202).header('location', `/v1/jobs/${job.id}`).header('preference-applied', 'respond-async');
  return job;
}
