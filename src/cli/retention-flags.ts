import type { Command } from 'commander';
import { retentionPolicySchema, type RetentionPolicy } from '../config/schema.js';
import { UsageError } from '../errors.js';

const FLAGS = [
  ['keepLast', '--keep-last', 'keep the newest N'],
  ['keepHourly', '--keep-hourly', 'keep the newest of each of the last N hours'],
  ['keepDaily', '--keep-daily', 'keep the newest of each of the last N days'],
  ['keepWeekly', '--keep-weekly', 'keep the newest of each of the last N ISO weeks'],
  ['keepMonthly', '--keep-monthly', 'keep the newest of each of the last N months'],
  ['keepYearly', '--keep-yearly', 'keep the newest of each of the last N years'],
] as const;

export type RetentionFlags = Partial<Record<(typeof FLAGS)[number][0], string>>;

/** --keep-last … --keep-yearly: a one-off policy that replaces backup.retention for this run, as restic forget takes. */
export function addRetentionFlags(command: Command): Command {
  for (const [, flag, what] of FLAGS) command.option(`${flag} <n>`, `${what} (with any --keep-*: replaces backup.retention for this run)`);
  return command;
}

/** The policy the flags give, or undefined when none was passed. Errors name the flag. */
export function retentionFromFlags(flags: RetentionFlags): RetentionPolicy | undefined {
  const policy: Record<string, number> = {};
  for (const [key, flag] of FLAGS) {
    const raw = flags[key];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n))
      throw new UsageError(`${flag}: expected a non-negative integer, got "${raw}"`);
    policy[key] = n;
  }
  if (Object.keys(policy).length === 0) return undefined;
  const parsed = retentionPolicySchema.safeParse(policy);
  if (!parsed.success) throw new UsageError(`--keep-*: ${parsed.error.issues[0]?.message ?? 'invalid policy'}`);
  return parsed.data;
}
