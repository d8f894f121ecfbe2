import { Gauge, type Registry } from 'prom-client';
import type { JobsService } from './jobs.service.js';
import { jobStates } from './jobs.table.js';

/** `jobs{state}`: jobs by state, read from the database at each scrape (all instances' jobs). */
export function registerJobsMetrics(registry: Registry, jobs: Pick<JobsService, 'countByState'>): void {
  new Gauge({
    name: 'jobs',
    help: 'Jobs by state (queued, running, succeeded, failed, cancelled, expired)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = new Map((await jobs.countByState()).map((c) => [c.state, c.n]));
      for (const state of jobStates) this.set({ state }, counts.get(state) ?? 0);
    },
  });
}
