import { Cron } from 'croner';
import type { ScheduleSpec } from '../core/schedule.js';

export interface Scheduler {
  /** Applies a (possibly changed) schedule; returns true when the timer was rebuilt. */
  apply(spec: ScheduleSpec): boolean;
  nextRun(): Date | null;
  stop(): void;
}

/** A croner job that calls `onTick` on `schedule` while `auto` is true; rebuilt only when the schedule changes. */
export function createScheduler(onTick: () => void): Scheduler {
  let job: Cron | undefined;
  let current: ScheduleSpec | undefined;
  const same = (a: ScheduleSpec | undefined, b: ScheduleSpec) =>
    a !== undefined && a.auto === b.auto && a.schedule === b.schedule && a.timezone === b.timezone;
  return {
    apply(spec) {
      if (same(current, spec)) return false;
      job?.stop();
      job = spec.auto ? new Cron(spec.schedule, { timezone: spec.timezone }, () => onTick()) : undefined;
      current = { ...spec };
      return true;
    },
    nextRun: () => job?.nextRun() ?? null,
    stop() {
      job?.stop();
      job = undefined;
    },
  };
}

/**
 * Notices the machine waking from sleep: Node's timers do not count suspended time, so a wall-clock jump far beyond
 * the check interval means the process was frozen and the scheduler may have missed its slot.
 */
export function watchClockJumps(onJump: (frozenMs: number) => void, intervalMs = 30_000): () => void {
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const frozen = now - last - intervalMs;
    last = now;
    if (frozen > intervalMs) onJump(frozen);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
