/**
 * "Some work just ended": what local mode's clock waits on while it settles (runtime.ts `settle`),
 * instead of polling every millisecond. Whatever counts as in flight for the settle (a request, a
 * task handler, an execution between states, the re-score) calls `workEnded()` when it ends or comes
 * to rest; the settle then checks again. A wake-up without a change only costs a check, so one
 * signal serves every runtime of the process; `nextWorkEnd` has a fallback delay so that work whose
 * end is not signalled is still seen, later. What the settle decides is unchanged (the same checks,
 * the same flushes, in the same order): only when it looks again is.
 */
let waiters: (() => void)[] = [];

export function workEnded(): void {
  if (waiters.length === 0) return;
  const woken = waiters;
  waiters = [];
  for (const wake of woken) wake();
}

/** Resolves at the next `workEnded()`, or after `fallbackMs` at the latest. */
export function nextWorkEnd(fallbackMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(wake, fallbackMs);
    function wake() {
      clearTimeout(timer);
      resolve();
    }
    waiters.push(wake);
  });
}
