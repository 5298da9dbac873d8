import type { RetentionPolicy } from '../../config/schema.js';

/**
 * Retention with restic `forget` semantics.
 *
 * `retention: N` is `{ keepLast: N }`. For a policy, archives are walked newest first. Each keep* rule is a bucket
 * with a counter: an archive is kept by a rule when its calendar period (hour, day, ISO week, month, year in the
 * configured zone; for keepLast, the archive itself) differs from the previous archive the rule kept, and the
 * counter is then decremented. Rules are independent and OR-ed: kept by any rule means kept. As in restic, when
 * a rule still has counts left at the oldest archive, the oldest is kept too (it maximises the history kept).
 *
 * Example (2026-01-01 is a Thursday, so it and 01-02 are in ISO week 2026-W01; 01-09 is in W02), policy
 * `{ keepDaily: 2, keepWeekly: 3 }`, archives newest first:
 *   01-09 10:00  kept: daily (01-09), weekly (W02)        daily 1 left, weekly 2 left
 *   01-02 22:00  kept: daily (01-02), weekly (W01)        daily 0 left, weekly 1 left
 *   01-02 10:00  removed: same day and same week as the archive kept just before
 *   01-01 10:00  kept: "oldest weekly" — same week as 01-02, but weekly has a count left at the oldest archive
 */

export interface Dated {
  createdAt: Date;
}

export interface RetentionKeep<T> {
  item: T;
  reasons: string[];
}

export interface RetentionPlan<T> {
  keep: RetentionKeep<T>[];
  remove: T[];
}

type Bucketer = (parts: CalendarParts, index: number) => number;

interface CalendarParts {
  year: number;
  month: number;
  day: number;
  hour: number;
}

const RULES: { key: keyof RetentionPolicy; reason: string; bucket: Bucketer }[] = [
  { key: 'keepLast', reason: 'last', bucket: (_p, index) => index },
  { key: 'keepHourly', reason: 'hourly', bucket: (p) => p.year * 1_000_000 + p.month * 10_000 + p.day * 100 + p.hour },
  { key: 'keepDaily', reason: 'daily', bucket: (p) => p.year * 10_000 + p.month * 100 + p.day },
  { key: 'keepWeekly', reason: 'weekly', bucket: (p) => isoWeekKey(p) },
  { key: 'keepMonthly', reason: 'monthly', bucket: (p) => p.year * 100 + p.month },
  { key: 'keepYearly', reason: 'yearly', bucket: (p) => p.year },
];

/** ISO-8601 week-numbering year * 100 + week, as Go's time.ISOWeek. */
export function isoWeekKey(p: Pick<CalendarParts, 'year' | 'month' | 'day'>): number {
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const isoYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return isoYear * 100 + week;
}

function calendarParts(formatter: Intl.DateTimeFormat, date: Date): CalendarParts {
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(date)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts.year as number, month: parts.month as number, day: parts.day as number, hour: (parts.hour as number) % 24 };
}

export function normalizeRetention(retention: number | RetentionPolicy): RetentionPolicy {
  return typeof retention === 'number' ? { keepLast: retention } : retention;
}

/**
 * Decides which archives to keep. `timeZone` (an IANA name; default the system zone) defines the calendar periods;
 * `newerFirst` orders the items (default: by time), where a store knows better (archives of one second).
 * Returns keep (newest first, with reasons) and remove.
 */
export function planRetention<T extends Dated>(
  items: readonly T[],
  retention: number | RetentionPolicy,
  timeZone?: string,
  newerFirst: (a: T, b: T) => number = (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
): RetentionPlan<T> {
  const policy = normalizeRetention(retention);
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    hourCycle: 'h23',
  });
  const sorted = [...items].sort(newerFirst);
  const counters = RULES.map((rule) => ({ rule, left: policy[rule.key] ?? 0, last: Number.NaN }));
  const plan: RetentionPlan<T> = { keep: [], remove: [] };
  sorted.forEach((item, index) => {
    const parts = calendarParts(formatter, item.createdAt);
    const reasons: string[] = [];
    for (const counter of counters) {
      if (counter.left <= 0) continue;
      const value = counter.rule.bucket(parts, index);
      const oldest = index === sorted.length - 1;
      if (value !== counter.last || oldest) {
        reasons.push(value === counter.last ? `oldest ${counter.rule.reason}` : counter.rule.reason);
        counter.last = value;
        counter.left -= 1;
      }
    }
    if (reasons.length > 0) plan.keep.push({ item, reasons });
    else plan.remove.push(item);
  });
  return plan;
}
