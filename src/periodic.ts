/**
 * A periodic background task of one process: `run` every `intervalMs` (and once at start when
 * `runAtStart`), never two runs at once, the timer not keeping the process alive; `stop` clears the
 * timer and waits for a run in progress. `run` handles (logs) its own errors.
 */
export function periodic(run: () => Promise<unknown>, intervalMs: number, { runAtStart = true } = {}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = run().finally(() => {
      running = undefined;
    });
  };
  return {
    start() {
      if (runAtStart) tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
