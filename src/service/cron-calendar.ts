import { CronPattern } from 'croner';
import { UsageError } from '../errors.js';

/** Which days a schedule fires on; a schedule's rules are OR-ed, like cron's day-of-month OR day-of-week. */
export interface DayRule {
  /** Days of the month (1-31), "last" (croner's L), or null for any day. */
  days: number[] | 'last' | null;
  /** Weekdays (0 = Sunday … 6), or null for any weekday. */
  weekdays: number[] | null;
  /** With weekdays: only their n-th (1-5) or last occurrence in the month (croner's # and L). */
  occurrence: number | 'last' | null;
}

/** A cron schedule as explicit value sets: what systemd's OnCalendar= and launchd's StartCalendarInterval take. */
export interface CalendarSpec {
  schedule: string;
  seconds: number[];
  minutes: number[];
  hours: number[];
  /** 1-12. */
  months: number[];
  /** null: every year. */
  years: number[] | null;
  rules: DayRule[];
}

const indices = (flags: readonly number[], offset = 0) => flags.flatMap((flag, index) => (flag ? [index + offset] : []));

/** croner stores a weekday's occurrences as bits: #1…#5 are 1, 2, 4, 8, 16, L is 32; a plain weekday is all six. */
const ALL_OCCURRENCES = 63;
const OCCURRENCE_BITS: [number, number | 'last'][] = [
  [1, 1],
  [2, 2],
  [4, 3],
  [8, 4],
  [16, 5],
  [32, 'last'],
];

function refuse(schedule: string, what: string): never {
  throw new UsageError(
    `backup.schedule "${schedule}": ${what}; use the daemon instead (service install without --timer), or change the schedule`,
  );
}

function weekdayRules(flags: readonly number[]): DayRule[] {
  const byOccurrence = new Map<number | 'last' | null, number[]>();
  flags.forEach((flag, weekday) => {
    if (!flag) return;
    const occurrences =
      (flag & ALL_OCCURRENCES) === ALL_OCCURRENCES ? [null] : OCCURRENCE_BITS.filter(([bit]) => flag & bit).map(([, n]) => n);
    for (const occurrence of occurrences) byOccurrence.set(occurrence, [...(byOccurrence.get(occurrence) ?? []), weekday]);
  });
  return [...byOccurrence].map(([occurrence, weekdays]) => ({ days: null, weekdays, occurrence }));
}

/**
 * Reads a schedule with croner's own parser (so it means exactly what the daemon fires on) into value sets.
 * Refuses what no calendar of fixed values can say: W (nearest weekday), and + (AND) together with # or L.
 */
export function parseSchedule(schedule: string, timezone?: string): CalendarSpec {
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(schedule, timezone);
  } catch (error) {
    throw new UsageError(`backup.schedule "${schedule}": ${(error as Error).message}`);
  }
  if (pattern.lastWeekday || pattern.nearestWeekdays.some(Boolean))
    refuse(schedule, 'W (the nearest weekday) has no systemd or launchd equivalent');
  const domDays = indices(pattern.day, 1);
  const domRules: DayRule[] = pattern.starDOM
    ? [{ days: null, weekdays: null, occurrence: null }]
    : [
        ...(domDays.length ? [{ days: domDays, weekdays: null, occurrence: null }] : []),
        ...(pattern.lastDayOfMonth ? [{ days: 'last' as const, weekdays: null, occurrence: null }] : []),
      ];
  let rules: DayRule[];
  if (pattern.starDOW) rules = domRules;
  else if (pattern.starDOM) rules = weekdayRules(pattern.dayOfWeek);
  else if (pattern.useAndLogic) {
    const weekdays = weekdayRules(pattern.dayOfWeek);
    if (pattern.lastDayOfMonth || weekdays.some((rule) => rule.occurrence !== null))
      refuse(schedule, 'the + (AND) modifier together with # or L cannot be written as a calendar');
    rules = [{ days: domDays, weekdays: weekdays[0]?.weekdays ?? [], occurrence: null }];
  } else rules = [...domRules, ...weekdayRules(pattern.dayOfWeek)];
  return {
    schedule,
    seconds: indices(pattern.second),
    minutes: indices(pattern.minute),
    hours: indices(pattern.hour),
    months: indices(pattern.month, 1),
    years: pattern.starYear ? null : indices(pattern.year),
    rules,
  };
}
