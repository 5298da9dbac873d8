import { Cron } from 'croner';

export interface ScheduleSpec {
  auto: boolean;
  schedule: string;
  timezone?: string | undefined;
}

/** The next fire time of a schedule after `from`, or null when `auto` is off. */
export function nextFireTime(spec: ScheduleSpec, from = new Date()): Date | null {
  if (!spec.auto) return null;
  return new Cron(spec.schedule, { paused: true, timezone: spec.timezone }).nextRun(from);
}

/** The most recent fire time at or before `now`. */
export function previousFireTime(spec: Pick<ScheduleSpec, 'schedule' | 'timezone'>, now = new Date()): Date | null {
  return new Cron(spec.schedule, { paused: true, timezone: spec.timezone }).previousRuns(1, now)[0] ?? null;
}

/**
 * Whether a scheduled run was missed (the machine was off or asleep): the schedule fired since the last run
 * started. One missed slot or fifty, the answer is one catch-up run, like systemd's Persistent=true. With no
 * record of any run there is nothing to catch up.
 */
export function findMissedRun(spec: ScheduleSpec, lastRunAt: Date | null, now = new Date()): Date | null {
  if (!spec.auto || !lastRunAt) return null;
  const previous = previousFireTime(spec, now);
  return previous && previous.getTime() > lastRunAt.getTime() ? previous : null;
}

/** The longest a slot may follow another backup's start and still be covered by it. */
const COVER_LIMIT_MS = 60_000;

/**
 * Whether a scheduled slot is covered by a backup that started just before it (the catch-up made at start, or a
 * manual trigger): within half the schedule's interval, at most a minute. Then the slot is skipped, so starting
 * the daemon late in a slot's minute makes one backup, not a catch-up and a scheduled one a moment apart.
 */
export function slotCoveredBy(spec: Pick<ScheduleSpec, 'schedule' | 'timezone'>, lastStartedAt: Date | undefined, slot: Date): boolean {
  if (!lastStartedAt) return false;
  const since = slot.getTime() - lastStartedAt.getTime();
  if (since < 0) return false;
  const [a, b] = new Cron(spec.schedule, { paused: true, timezone: spec.timezone }).nextRuns(2, slot);
  const interval = a && b ? b.getTime() - a.getTime() : COVER_LIMIT_MS * 2;
  return since < Math.min(interval / 2, COVER_LIMIT_MS);
}
