import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tx } from './client.js';

/** The resource a transaction created or changed first (its first audit event), if any. */
export type FirstChange = { resourceType: string; resourceId: string } | undefined;

/**
 * Work a request must do inside its business transaction, so that it commits or rolls back with
 * that change: the idempotency record of a creating request is completed there (issue 12, item 14:
 * completed after the commit, a crash in between let a retry create the resource twice).
 */
export type WithinTransaction = (tx: Tx, first: FirstChange) => Promise<void>;

type Scope = { pending: WithinTransaction | undefined };
const storage = new AsyncLocalStorage<Scope>();

/** Runs `fn` (the rest of a request's processing) in a scope that can carry such work. */
export function runInRequestScope<T>(fn: () => T): T {
  return storage.run({ pending: undefined }, fn);
}

/** Hands `work` to the next audited transaction of this request (see `audited`). */
export function doWithinNextTransaction(work: WithinTransaction): void {
  const scope = storage.getStore();
  if (!scope) throw new Error('doWithinNextTransaction outside a request scope');
  scope.pending = work;
}

/** Takes the pending work, once: only the request's first audited transaction does it. */
export function takeWithinTransaction(): WithinTransaction | undefined {
  const scope = storage.getStore();
  const work = scope?.pending;
  if (scope) scope.pending = undefined;
  return work;
}
