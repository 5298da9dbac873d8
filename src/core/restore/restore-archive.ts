/*
 * The restore module: read once (read-archive.ts), plan once (plan.ts, destinations.ts), finish the staged tree,
 * confirm, and swap it in with a journal and a rollback copy. It reads through the reader and never writes the live
 * state before the swap.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { BackupError, BusyError, toBackupError, UsageError } from '../../errors.js';
import { labelOf, type ArchiveInput } from '../reader/source.js';
import type { ArchiveHeader } from '../archive/manifest.js';
import type { Component } from '../components.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { tempSuffix } from '../fs/atomic.js';
import { pathExists } from '../fs/exists.js';
import { newOwner } from '../locks/lock-dir.js';
import { RESTORE_STAGING_PREFIX } from '../fs/temp-files.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { acquireStateLock, type StateLock } from '../locks/lock.js';
import { acquireOperationLock } from '../locks/operation-lock.js';
import type { ProgressReporter } from '../progress.js';
import type { ArchiveFormat } from '../reader/archive-layout.js';
import type { NotedEntry } from '../reader/match-manifest.js';
import type { ScanResult } from '../reader/scan-archive.js';
import { applyFull, applySelected, planFullSwap, undoOrExplain, type ApplyResult } from './apply.js';
import { archiveSelection, type CarryContext } from './carry.js';
import { archiveTime, describeChanges, newerMovedAway, newerReplaced, type RestoreChanges } from './changes.js';
import type { PlacedRoot } from './destinations.js';
import type { StagingWriter } from './extract.js';
import { flaggedWarnings } from './flagged-warnings.js';
import { ownerReport, type PermissionReport } from './permissions.js';
import { planRestore, type PlanContext, type RestorePlan } from './plan.js';
import { readArchive, type ArchiveRead } from './read-archive.js';
import { recoverInterruptedRestores } from './recover.js';
import type { PathRewrite } from './rewrite-config.js';
import { describeSelection, toRestoreSelection, type RestoreSelection } from './selection.js';
import { finishStaging } from './stage.js';
import { carryStateIdentity } from '../identity/carry-identity.js';
import { isStateId } from '../identity/identity-file.js';
import { JOURNAL_FILE, SwapJournal, type SwapStepHook } from './swap.js';
import { checkTargetContents, checkTargetPlace, ownershipWarnings, resolveThroughLinks } from './target.js';

export interface RestoreOptions {
  /** A path, or a source (a backup in a store, see src/core/store/). */
  archive: ArchiveInput;
  paths: StatePaths;
  /** --target DIR: restore a separate copy there instead of over the state dir. */
  target?: string | undefined;
  /** A selective restore: components and/or paths (only what is named is put in place, file by file). */
  only?: Component[] | RestoreSelection | undefined;
  dryRun?: boolean;
  /** Allow restoring over a non-empty --target (its contents become the rollback copy). */
  force?: boolean;
  /** The live openclaw.json, when readable: the gateway port to probe. */
  openclaw?: Record<string, unknown> | undefined;
  /** The live backups dir, carried over untouched when it lives inside the state dir. */
  backupDir?: string | undefined;
  /** The live backup.exclude: carried over when the archive does not record the selection it was made with. */
  exclude?: string[] | undefined;
  /** Said before anything live changes (files newer than the archive about to move) and for a lost lock. */
  onWarning?: ((message: string) => void) | undefined;
  /** Sees each step of the swap (journaled before it is made). */
  onSwapStep?: SwapStepHook | undefined;
  signal?: AbortSignal | undefined;
  now?: () => Date;
  /** Identity or passphrase for an age-encrypted archive (decrypted as it streams, nothing plaintext but the staging dir hits the disk). */
  decrypt?: DecryptionKey | undefined;
  /** The read reports progress: 'restore' while it stages, 'verify' for a dry run. */
  progress?: ProgressReporter | undefined;
  /**
   * Called once the archive is read, staged and planned, before anything live changes, with what the restore will do
   * (a dry run's result); false cancels it and nothing is changed. The CLI asks the person at the terminal here.
   */
  confirm?: ((preview: RestoreResult) => Promise<boolean>) | undefined;
  /** The series the backup belongs to when its store knows it (a snapshot's state tag) and its header does not. */
  stateId?: string | undefined;
}

export interface RestoreResult {
  archive: string;
  format: ArchiveFormat | null;
  target: string;
  /** The path the user named for the target when it is a symlink to `target` (kept as it is). */
  targetLink?: string | undefined;
  dryRun: boolean;
  /** What was selected: components and paths, or everything. */
  components: string[] | 'all';
  /** Regular files (symlinks apart), counted as create and info count them. */
  files: number;
  symlinks: number;
  roots: Array<Pick<PlacedRoot, 'id' | 'role' | 'source' | 'destination' | 'placement' | 'via'>>;
  /** Where the replaced state was moved; remove when satisfied. */
  rollback: string[];
  /** Live paths a full restore kept in place: left out by the archive's selection, our lock and status files, the backups dir. */
  carried: string[];
  /** Live files newer than the archive that the restore moved (or would move) to the rollback copy. */
  newer: string[];
  rewrites: PathRewrite[];
  permissions: PermissionReport | undefined;
  /** Dry run: what would be added, changed, left unchanged, removed (moved to the rollback copy) and carried over. */
  changes: RestoreChanges | undefined;
  warnings: string[];
}

/** Files and symlinks of a selection, counted apart as create and info count them (directories not at all). */
function countEntries(entries: Array<{ kind: string }>): { files: number; symlinks: number } {
  const symlinks = entries.filter((e) => e.kind === 'symlink').length;
  return { files: entries.filter((e) => e.kind === 'file' || e.kind === 'link').length, symlinks };
}

function stampOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Restore's locks: the operation lock (waits for running backups, keeps new ones out) and then the state lock. */
async function withRestoreLocks<T>(target: string, options: RestoreOptions, run: (locks: StateLock[]) => Promise<T>): Promise<T> {
  const common = { command: 'openclaw-backup restore', signal: options.signal, onCompromised: options.onWarning };
  const operation = await acquireOperationLock(target, { ...common, waitMs: 60_000 });
  let locks: StateLock[];
  try {
    locks = [operation, await acquireStateLock(target, { ...common, waitMs: 5_000 })];
  } catch (error) {
    await operation.release();
    throw error;
  }
  try {
    return await run(locks);
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

/** Where this restore goes and what it brings back, decided before the archive is read. */
interface RestoreContext {
  options: RestoreOptions;
  copy: boolean;
  target: string;
  only: RestoreSelection | undefined;
  plan: PlanContext;
  gateway: Parameters<typeof assertGatewayStopped>[0];
  base: Pick<RestoreResult, 'archive' | 'target' | 'targetLink' | 'components'>;
}

async function contextFor(options: RestoreOptions): Promise<RestoreContext> {
  const copy = Boolean(options.target);
  // The target the user named, through their own links (~/.openclaw -> /data/.openclaw): content goes behind the link.
  const namedTarget = options.target ? expandHome(options.target, options.paths.home) : options.paths.stateDir;
  const target = await resolveThroughLinks(namedTarget);
  const backupDir = options.backupDir ?? path.join(options.paths.stateDir, 'backups');
  await checkTargetPlace({ named: namedTarget, target, home: options.paths.home, copy, stateDir: options.paths.stateDir, backupDir });
  await checkTargetContents(target, copy, options.force ?? false);
  const only = toRestoreSelection(options.only);
  return {
    options,
    copy,
    target,
    only,
    plan: {
      target,
      namedTarget,
      copy,
      home: options.paths.home,
      configPath: options.paths.configPath,
      dirExists: (dir) => existsSync(dir),
      stateDir: options.paths.stateDir,
      backupDir,
      live: options.openclaw,
      only,
    },
    gateway: { stateDir: target, openclaw: copy ? undefined : options.openclaw, checkPort: !copy, action: 'restore' },
    base: {
      archive: labelOf(options.archive),
      target,
      targetLink: namedTarget !== target ? namedTarget : undefined,
      components: describeSelection(only),
    },
  };
}

/**
 * Restores an archive as one pipeline: the archive is read once (read-archive.ts: every entry checked and, unless
 * this is a dry run, written into a staging dir beside the target), the restore planned once from that read
 * (plan.ts: where each root goes, what comes back), then — for a real restore — the staged tree finished (paths in
 * openclaw.json remapped, modes fixed), shown to `confirm` when given, and swapped in with a rollback copy. A dry run
 * is the same read and plan without the writes. Nothing live changes before the swap; every step of the swap is
 * journaled, and a failed one is undone (a killed one by the next command). Refuses while the gateway runs; no
 * backup runs beside it (operation lock + state lock).
 */
export async function restoreArchive(options: RestoreOptions): Promise<RestoreResult> {
  const context = await contextFor(options);
  if (options.dryRun) {
    const read = await readArchive({
      archive: options.archive,
      signal: options.signal,
      decrypt: options.decrypt,
      progress: options.progress,
      digestDatabases: true,
    });
    const plan = await planRestore(read, context.plan);
    assertSomethingSelected(plan, context.only, context.base.archive);
    return preview(context, read, plan, '');
  }
  await assertGatewayStopped(context.gateway);
  const { target } = context;
  const createdTarget = !(await pathExists(target));
  if (createdTarget) await fs.mkdir(target, { recursive: true, mode: 0o700 });
  const staging = { keep: false };
  try {
    return await withRestoreLocks(target, options, async (locks) => {
      const recovered = await recoverInterruptedRestores(target, { heldTarget: target, signal: options.signal });
      const dir = path.join(path.dirname(await fs.realpath(target)), `${RESTORE_STAGING_PREFIX}${tempSuffix()}`);
      await fs.mkdir(dir, { mode: 0o700 });
      let journal: SwapJournal | undefined;
      try {
        journal = await SwapJournal.open(
          path.join(dir, JOURNAL_FILE),
          { pid: process.pid, owner: newOwner('openclaw-backup restore'), target, startedAt: new Date().toISOString() },
          options.onSwapStep,
        );
        const result = await stageAndSwap(context, dir, journal, locks, staging);
        return { ...result, warnings: [...recovered.warnings, ...result.warnings] };
      } finally {
        await journal?.close();
        if (!staging.keep) await fs.rm(dir, { recursive: true, force: true });
      }
    });
  } catch (error) {
    // A target this restore created goes again, unless a swap that could not be undone left things in it.
    if (createdTarget && !staging.keep) await fs.rm(target, { recursive: true, force: true }).catch(() => {});
    // A raw fs error (ENOSPC while staging) is a failure with one clear line, not an "unexpected error".
    throw toBackupError(error, 'restore');
  }
}

/** What a dry run reports (and the preview a confirmation shows): what would change, from the one read and plan. */
async function preview(context: RestoreContext, read: ArchiveRead, plan: RestorePlan, staging: string): Promise<RestoreResult> {
  const swaps = context.only ? undefined : await planFullSwap(plan, staging, carryFor(context, read.scan, plan.carry));
  const changes = await describeChanges(plan, swaps, archiveTime(read.scan));
  return {
    ...context.base,
    format: read.verify.format,
    dryRun: true,
    ...countEntries(plan.selected),
    roots: describeRoots(plan.roots),
    rollback: [],
    carried: changes.carried,
    newer: changes.newer,
    rewrites: [],
    permissions: undefined,
    changes,
    warnings: [...plan.notes, ...flaggedWarnings(read.verify.flagged ?? [], plan), ...notedWarnings(read.verify.noted)],
  };
}

/** The one read into the staging dir, the plan, the finished staged tree, the confirmation, and the swap. */
async function stageAndSwap(
  context: RestoreContext,
  staging: string,
  journal: SwapJournal,
  locks: StateLock[],
  keep: { keep: boolean },
): Promise<RestoreResult> {
  const { options, target, only } = context;
  // The archive is checked while it is written into the staging dir, and the staging dir's free space is checked
  // against the sizes the archive declares as they come.
  const read = await readArchive({
    archive: options.archive,
    staging,
    signal: options.signal,
    decrypt: options.decrypt,
    progress: options.progress,
  });
  const plan = await planRestore(read, context.plan);
  assertSomethingSelected(plan, only, context.base.archive);
  const staged = read.staged as StagingWriter;
  const tree = await finishStaging({ scan: read.scan, staged, plan, whole: !only, newHome: options.paths.home });
  if (options.confirm && !(await options.confirm(await preview(context, read, plan, staging))))
    throw new BackupError('failure', 'restore cancelled; nothing was changed');
  await assertGatewayStopped(context.gateway);
  if (locks.some((lock) => lock.compromised())) throw new BusyError(`the restore's lock on ${target} was lost; nothing was changed`);

  const stamp = stampOf((options.now ?? (() => new Date()))());
  const carry = carryFor(context, read.scan, plan.carry);
  const madeAt = archiveTime(read.scan);
  const swaps = only ? undefined : await planFullSwap(plan, staging, carry);
  const newer = swaps ? await newerMovedAway(swaps, madeAt) : await newerReplaced(plan, madeAt);
  if (newer.length) options.onWarning?.(`${describeNewer(newer, madeAt)}; they will be moved to the rollback copy`);
  let applied: ApplyResult;
  try {
    applied = swaps
      ? await applyFull(journal, swaps, carry, stamp)
      : await applySelected(journal, plan, tree.written, staging, stamp, target);
    throwIfSignalled(options.signal);
    await journal.commit();
  } catch (error) {
    const undone = await undoOrExplain(journal, error, staging);
    keep.keep = undone.keepStaging;
    throw undone.error;
  }
  const warnings = [...plan.notes, ...flaggedWarnings(read.verify.flagged ?? [], plan), ...notedWarnings(read.verify.noted)];
  warnings.push(
    ...(applied.movedLinks ?? []).map(
      (link) => `${link} stood where restored files go: moved to ${applied.rollback[0] ?? 'the rollback copy'}, restored as a directory`,
    ),
  );
  warnings.push(...applied.conflicts.map((file) => `kept the live ${file}; the archive's copy of it was not restored`));
  if (newer.length) warnings.push(`${describeNewer(newer, madeAt)}; they are in ${applied.rollback.join(', ') || 'the rollback copy'}`);
  warnings.push(...(await ownershipWarnings(target)));
  if (!only) warnings.push(...(await carryIdentity(read.scan, target, context.copy, options)));
  return {
    ...context.base,
    format: read.verify.format,
    dryRun: false,
    ...countEntries(plan.selected),
    roots: describeRoots(plan.roots),
    rollback: applied.rollback,
    carried: applied.carried,
    newer,
    rewrites: tree.rewrites,
    permissions: ownerReport(tree.privateFiles),
    changes: undefined,
    warnings,
  };
}

/**
 * A full restore makes the state continue the backup's series (its header's state id, else the store's), re-homed
 * to this machine: src/core/identity/carry-identity.ts. Never fails the restore that already happened.
 */
async function carryIdentity(scan: ScanResult, target: string, copy: boolean, options: RestoreOptions): Promise<string[]> {
  const header = scan.layout?.format === 'openclaw-backup' ? (scan.header as Partial<ArchiveHeader>) : undefined;
  const stateId = isStateId(header?.stateId) ? header.stateId : options.stateId;
  try {
    const origin = typeof header?.stateDir === 'string' ? header.stateDir : undefined;
    const note = await carryStateIdentity({ target, liveStateDir: options.paths.stateDir, inPlace: !copy, stateId, origin });
    return note ? [note] : [];
  } catch (error) {
    return [`could not record the restored state's id in ${target}: ${(error as Error).message}; its next backup starts a new series`];
  }
}

/** What a full restore keeps of the live tree, by the archive's own selection. */
function carryFor(context: RestoreContext, scan: ScanResult, pinnedLinks: string[]): CarryContext {
  const { options } = context;
  const header = scan.layout?.format === 'openclaw-backup' ? (scan.header as ArchiveHeader) : undefined;
  return {
    target: context.target,
    inPlace: !context.copy,
    selection: archiveSelection(header, options.exclude),
    backupDir: options.backupDir,
    openclaw: options.openclaw,
    home: options.paths.home,
    pinnedLinks,
  };
}

function describeRoots(roots: PlacedRoot[]): RestoreResult['roots'] {
  return roots.map(({ id, role, source, destination, placement, via }) => ({
    id,
    role,
    source,
    destination,
    placement,
    ...(via ? { via } : {}),
  }));
}

/** What the repository holds otherwise than it was hashed: the later version restic read, or nothing. */
function notedWarnings(noted: NotedEntry[] | undefined): string[] {
  return (noted ?? []).map((note) =>
    note.kind === 'changed' ? `${note.path}: ${note.reason}; restored as restic holds it` : `${note.path}: ${note.reason}; not restored`,
  );
}

/** A selective restore that matches nothing is a usage error naming what was asked, never a silent no-op. */
function assertSomethingSelected(plan: RestorePlan, only: RestoreSelection | undefined, archive: string): void {
  if (!only || plan.selected.some((entry) => entry.kind !== 'directory')) return;
  throw new UsageError(
    `--only ${[...only.components, ...only.paths].join(',')}: nothing in ${archive} matches (see openclaw-backup ls ${archive})`,
  );
}

function describeNewer(newer: string[], madeAt: Date | undefined): string {
  const more = newer.length > 5 ? ` and ${newer.length - 5} more` : '';
  return `${newer.length} live file${newer.length === 1 ? '' : 's'} changed after the archive was made (${madeAt?.toISOString()}): ${newer.slice(0, 5).join(', ')}${more}`;
}

/** Interrupted during the swap: undo it rather than leave a half-restored state (a second signal still kills). */
function throwIfSignalled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BackupError('interrupted', 'restore interrupted; nothing was changed');
}
