import { Cron } from 'croner';
import { UsageError } from '../errors.js';
import type { CalendarSpec, DayRule } from './cron-calendar.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * One systemd calendar component: `*` for every value, `start/step` for a step that runs to the end, else a
 * list of values and `a..b` ranges.
 */
function component(values: number[], min: number, max: number, name: (n: number) => string = pad): string {
  if (values.length === max - min + 1) return '*';
  const step = (values[1] ?? 0) - (values[0] ?? 0);
  const evenly = values.length >= 3 && step > 1 && values.every((v, i) => v === (values[0] as number) + i * step);
  if (evenly && (values.at(-1) as number) + step > max) return `${name(values[0] as number)}/${step}`;
  const parts: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] as number) + 1) j += 1;
    if (j - i >= 2) parts.push(`${name(values[i] as number)}..${name(values[j] as number)}`);
    else for (let k = i; k <= j; k += 1) parts.push(name(values[k] as number));
    i = j + 1;
  }
  return parts.join(',');
}

/** The day part of one OnCalendar= line: `-DD`, `~01` (last day) or the range a weekday occurrence falls in. */
function dayPart(rule: DayRule): string {
  if (rule.occurrence === 'last') return '~07/1';
  if (typeof rule.occurrence === 'number') {
    const first = (rule.occurrence - 1) * 7 + 1;
    return `-${pad(first)}..${pad(Math.min(first + 6, 31))}`;
  }
  if (rule.days === 'last') return '~01';
  return `-${rule.days === null ? '*' : component(rule.days, 1, 31)}`;
}

/** OnCalendar= values for a schedule (several lines are OR-ed, as cron's day-of-month OR day-of-week). */
export function systemdCalendar(spec: CalendarSpec, timezone?: string): string[] {
  const time = `${component(spec.hours, 0, 23)}:${component(spec.minutes, 0, 59)}:${component(spec.seconds, 0, 59)}`;
  const date = `${spec.years ? spec.years.join(',') : '*'}-${component(spec.months, 1, 12)}`;
  return spec.rules.map((rule) => {
    const weekdays = rule.weekdays ? `${component(rule.weekdays, 0, 6, (n) => WEEKDAYS[n] as string)} ` : '';
    return `${weekdays === '* ' ? '' : weekdays}${date}${dayPart(rule)} ${time}${timezone ? ` ${timezone}` : ''}`;
  });
}

export type LaunchdInterval = Partial<Record<'Minute' | 'Hour' | 'Day' | 'Weekday' | 'Month', number>>;

/** More would make a plist nobody can read; such a schedule wants the daemon. */
const MAX_INTERVALS = 1000;

const INSTEAD = 'use the daemon instead (service install without --timer), or change the schedule';

function refuse(spec: CalendarSpec, what: string): never {
  throw new UsageError(`backup.schedule "${spec.schedule}": launchd's StartCalendarInterval cannot express ${what}; ${INSTEAD}`);
}

/**
 * StartCalendarInterval dicts: each one is a conjunction of the keys it has (a missing key is a wildcard), and
 * the job runs when any dict matches, so a schedule becomes the product of its restricted fields.
 */
export function launchdCalendar(
  spec: CalendarSpec,
  timezone?: string,
  systemZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
): LaunchdInterval[] {
  if (spec.seconds.length !== 1 || spec.seconds[0] !== 0) refuse(spec, 'seconds');
  if (spec.years) refuse(spec, 'a year');
  if (timezone && timezone !== systemZone) {
    throw new UsageError(
      `backup.timezone "${timezone}": launchd's StartCalendarInterval always uses the system time zone (${systemZone}); ${INSTEAD}`,
    );
  }
  const field = (key: keyof LaunchdInterval, values: number[], count: number) =>
    (values.length === count ? [undefined] : values).map((v) => [key, v] as const);
  const fixed = [field('Minute', spec.minutes, 60), field('Hour', spec.hours, 24), field('Month', spec.months, 12)];
  const dayFields = spec.rules.map((rule) => {
    if (rule.occurrence !== null || rule.days === 'last') refuse(spec, 'L or # (a last day, an n-th weekday)');
    if (rule.days !== null && rule.weekdays !== null) refuse(spec, 'day-of-month AND day-of-week (+)');
    if (rule.weekdays) return field('Weekday', rule.weekdays, 7);
    return field('Day', rule.days ?? [], rule.days === null ? 0 : 31);
  });
  const size = fixed.reduce((n, f) => n * f.length, 1) * dayFields.reduce((n, f) => n + f.length, 0);
  if (size > MAX_INTERVALS) refuse(spec, `this schedule in at most ${MAX_INTERVALS} entries (it needs ${size})`);
  const intervals: LaunchdInterval[] = [];
  for (const days of dayFields) {
    let partial: LaunchdInterval[] = [{}];
    for (const options of [...fixed, days]) {
      partial = partial.flatMap((entry) => options.map(([key, value]) => (value === undefined ? entry : { ...entry, [key]: value })));
    }
    intervals.push(...partial);
  }
  const seen = new Set<string>();
  return intervals.filter((entry) => !seen.has(JSON.stringify(entry)) && Boolean(seen.add(JSON.stringify(entry))));
}

/**
 * RandomizedDelaySec= spreads timers that fire at the same moment on many machines: a tenth of the shortest gap
 * between runs, at most 5 minutes. Frequent schedules get AccuracySec=1s, or systemd's default minute of slack
 * would merge their runs.
 */
export function timerTiming(
  schedule: string,
  timezone?: string,
  from = new Date(),
): { randomizedDelaySec: number; accuracySec: number | null } {
  const runs = new Cron(schedule, { paused: true, timezone }).nextRuns(20, from);
  let gap = Infinity;
  for (let i = 1; i < runs.length; i += 1) gap = Math.min(gap, (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime());
  const gapSec = Number.isFinite(gap) ? gap / 1000 : 86_400;
  return { randomizedDelaySec: Math.min(300, Math.floor(gapSec / 10)), accuracySec: gapSec < 600 ? 1 : null };
}
