import fs from 'node:fs/promises';
import { BackupError, describeFsError } from '../../errors.js';
import type { RollbackCopy } from './find-copies.js';

export interface RemoveRollbackOptions {
  /** Keep the newest N of each directory's copies (0: remove them all). */
  keep: number;
  dryRun: boolean;
}

export interface RemoveRollbackResult {
  dryRun: boolean;
  kept: RollbackCopy[];
  removed: RollbackCopy[];
}

/** Which copies go: all but the newest `keep` of each directory's (copies come newest first). */
export function planRollbackRemoval(copies: RollbackCopy[], keep: number): { kept: RollbackCopy[]; removed: RollbackCopy[] } {
  const seen = new Map<string, number>();
  const kept: RollbackCopy[] = [];
  const removed: RollbackCopy[] = [];
  for (const copy of copies) {
    const n = (seen.get(copy.of) ?? 0) + 1;
    seen.set(copy.of, n);
    (n <= keep ? kept : removed).push(copy);
  }
  return { kept, removed };
}

/** Removes rollback copies (or, on a dry run, says which would go). A copy that cannot be removed fails the run. */
export async function removeRollbackCopies(copies: RollbackCopy[], options: RemoveRollbackOptions): Promise<RemoveRollbackResult> {
  const plan = planRollbackRemoval(copies, options.keep);
  if (!options.dryRun) {
    for (const copy of plan.removed) {
      await fs.rm(copy.path, { recursive: true, force: true }).catch((error: unknown) => {
        throw new BackupError('failure', `cannot remove rollback copy ${copy.path}: ${describeFsError(error)}`, { cause: error });
      });
    }
  }
  return { dryRun: options.dryRun, ...plan };
}
