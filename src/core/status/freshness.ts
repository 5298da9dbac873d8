import { Cron } from 'croner';

const FOURTEEN_DAYS_MS = 14 * 86_400_000;

export interface ScheduleSpec {
  auto: boolean;
  schedule: string;
  timezone?: string | undefined;
}

export interface Overdue {
  overdue: boolean;
  /** The rule that decided it: "two runs of schedule …" (auto), or "14 days" (manual backups). */
  rule: string;
}

/**
 * One rule for `status`, the gateway's status method and doctor's freshness check: overdue when two scheduled runs
 * have passed since the last success (auto), or after 14 days (manual backups); always when there never was one.
 */
export function overdueSince(spec: ScheduleSpec, lastSuccess: Date | undefined, now: Date): Overdue {
  if (!spec.auto) {
    const rule = '14 days';
    return { overdue: !lastSuccess || now.getTime() - lastSuccess.getTime() > FOURTEEN_DAYS_MS, rule };
  }
  const rule = `two runs of schedule "${spec.schedule}"`;
  if (!lastSuccess) return { overdue: true, rule };
  const runs = new Cron(spec.schedule, { paused: true, ...(spec.timezone ? { timezone: spec.timezone } : {}) }).nextRuns(2, lastSuccess);
  const second = runs[1];
  return { overdue: second !== undefined && second.getTime() < now.getTime(), rule };
}

/** The newest of the given times that is not in the future (a clock that was wrong makes a time unknown). */
export function newestPast(times: ReadonlyArray<string | null | undefined>, now: Date, slackMs = 5 * 60_000): Date | undefined {
  const usable = times.map((t) => (t ? Date.parse(t) : NaN)).filter((t) => Number.isFinite(t) && t <= now.getTime() + slackMs);
  return usable.length ? new Date(Math.max(...usable)) : undefined;
}
