import type { Clock } from '../core/clock.ts';

/**
 * Sleeps `ms` on the clock unless one of `signals` aborts first; never throws. Each call gets its
 * own signal, so long-lived signals do not collect a listener per sleep.
 */
export async function sleepUnless(clock: Clock, ms: number, signals: readonly AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return;
  const ctl = new AbortController();
  const abort = (): void => ctl.abort();
  for (const s of signals) s.addEventListener('abort', abort, { once: true });
  try {
    await clock.sleep(ms, ctl.signal);
  } catch {
    // aborted
  } finally {
    for (const s of signals) s.removeEventListener('abort', abort);
  }
}
