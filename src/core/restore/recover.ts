import fs from 'node:fs/promises';
import path from 'node:path';
import { isBackupError } from '../../errors.js';
import { isProcessAlive } from '../fs/atomic.js';
import { ownerLiveness, type LockOwner } from '../locks/lock-dir.js';
import { RESTORE_STAGING_PREFIX } from '../fs/temp-files.js';
import { acquireOperationLock } from '../locks/operation-lock.js';
import { acquireStateLock, type StateLock } from '../locks/lock.js';
import { JOURNAL_FILE, readJournal, undoSteps } from './swap.js';
import { pathExists } from '../fs/exists.js';

export interface RecoveryReport {
  /** Staging dirs of interrupted restores whose swap was undone (or had completed) and that were removed. */
  recovered: string[];
  /** Staging dirs left in place because something could not be put back; each is named in a warning. */
  kept: string[];
  warnings: string[];
}

export interface RecoverOptions {
  signal?: AbortSignal | undefined;
  /** The caller already holds the operation lock of this target (restore itself). */
  heldTarget?: string | undefined;
  /** How long to wait for the operation lock of a journal's target; busy means someone else is on it. */
  waitMs?: number;
}

const STAGING_NAME = new RegExp(`^${RESTORE_STAGING_PREFIX.replace(/\./g, '\\.')}(\\d+)-`);

async function parentsOf(stateDir: string): Promise<string[]> {
  const real = await fs.realpath(stateDir).catch(() => stateDir);
  return [...new Set([path.dirname(stateDir), path.dirname(real)])];
}

/** Staging dirs of restores that are no longer running, beside the state dir (and beside its real path). */
async function abandonedStagingDirs(stateDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of await parentsOf(stateDir)) {
    for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
      const pid = Number(STAGING_NAME.exec(name)?.[1]);
      if (!pid || pid === process.pid) continue;
      const dir = path.join(parent, name);
      const journal = await readJournal(path.join(dir, JOURNAL_FILE));
      const owner = (journal?.header as { owner?: LockOwner } | undefined)?.owner;
      const alive = owner ? ownerLiveness(owner) !== 'dead' : isProcessAlive(pid);
      if (!alive) found.push(dir);
    }
  }
  return found;
}

/** Before journals: a staging dir may hold a live backups dir carried into the staged tree. */
async function findCarriedBackups(dir: string, depth = 3): Promise<string | undefined> {
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    if (entry.name === 'backups') return path.join(dir, entry.name);
    const found = depth > 1 ? await findCarriedBackups(path.join(dir, entry.name), depth - 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

async function recoverLegacy(dir: string, stateDir: string, report: RecoveryReport): Promise<void> {
  const carried = await findCarriedBackups(dir);
  if (carried) {
    const home = path.join(stateDir, 'backups');
    const free = (await pathExists(stateDir)) && !(await pathExists(home));
    if (!free) {
      report.kept.push(dir);
      report.warnings.push(
        `${dir} was left by a killed restore and holds a backups dir (${carried}); ${home} exists, so move it back by hand`,
      );
      return;
    }
    await fs.rename(carried, home);
    report.warnings.push(`moved the backups dir a killed restore had left in ${dir} back to ${home}`);
  }
  await fs.rm(dir, { recursive: true, force: true });
  report.recovered.push(dir);
}

async function recoverOne(dir: string, stateDir: string, options: RecoverOptions, report: RecoveryReport): Promise<void> {
  const journal = await readJournal(path.join(dir, JOURNAL_FILE));
  if (!journal?.header) return recoverLegacy(dir, stateDir, report);
  const target = journal.header.target;
  const locks: StateLock[] = [];
  if (target !== options.heldTarget && (await pathExists(target))) {
    // The dead restore's locks are reclaimed on the way, so none is left for doctor to report.
    const common = { command: 'openclaw-backup (undoing an interrupted restore)', waitMs: options.waitMs ?? 2_000, signal: options.signal };
    try {
      locks.push(await acquireOperationLock(target, common));
      locks.push(await acquireStateLock(target, common));
    } catch (error) {
      for (const lock of locks) await lock.release();
      // Busy: a live restore or backup holds it; whoever holds it has been through this recovery already.
      if (isBackupError(error) && error.kind === 'busy') return;
      throw error;
    }
  }
  try {
    const again = await readJournal(path.join(dir, JOURNAL_FILE));
    if (!again) return;
    if (again.state === 'open') {
      const failures = await undoSteps(again.steps);
      if (failures.length) {
        report.kept.push(dir);
        report.warnings.push(
          `a restore of ${target} was interrupted and could not be undone (${failures.join('; ')}); its journal and the restored files are in ${dir}`,
        );
        return;
      }
      if (again.steps.length)
        report.warnings.push(`a restore of ${target} was interrupted mid-swap; it was undone and ${target} is as it was before`);
    }
    await fs.rm(dir, { recursive: true, force: true });
    report.recovered.push(dir);
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

/**
 * Completes what a killed restore left: every staging dir of a dead restore beside the state dir is read; an open
 * swap journal is undone step by step (newest first, each step only if it happened), then the staging dir is
 * removed. A dir is never removed while something in it could not be put back. Cheap when there is nothing to do.
 */
export async function recoverInterruptedRestores(stateDir: string, options: RecoverOptions = {}): Promise<RecoveryReport> {
  const report: RecoveryReport = { recovered: [], kept: [], warnings: [] };
  for (const dir of await abandonedStagingDirs(stateDir)) await recoverOne(dir, stateDir, options, report);
  return report;
}
