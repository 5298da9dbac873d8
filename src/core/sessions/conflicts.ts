import { BackupError } from '../../errors.js';
import type { ExportedSession } from './document.js';

export type OnConflict = 'skip' | 'replace' | 'fail';

export interface ConflictPlan {
  todo: ExportedSession[];
  skipped: string[];
  replaced: string[];
}

export const CONFLICT_HINT = 'use --on-conflict skip or replace';

/** Applies --on-conflict to the keys that already exist; `fail` (the default) throws before anything is written. */
export function resolveConflicts(
  agentId: string,
  sessions: ExportedSession[],
  conflicts: string[],
  onConflict: OnConflict,
  hint = CONFLICT_HINT,
): ConflictPlan {
  if (conflicts.length && onConflict === 'fail') {
    throw new BackupError('failure', `sessions already exist in agent "${agentId}": ${conflicts.join(', ')} (${hint})`, {
      details: { conflicts },
    });
  }
  const skipped = onConflict === 'skip' ? conflicts : [];
  const replaced = onConflict === 'replace' ? conflicts : [];
  return { todo: sessions.filter((s) => !skipped.includes(s.key)), skipped, replaced };
}
