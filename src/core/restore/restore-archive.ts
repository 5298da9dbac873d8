import { RESTORE_STAGING_PREFIX } from '../fs/temp-files.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expandHome, type StatePaths } from '../../config/paths.js';
import { tempSuffix } from '../fs/atomic.js';
import type { Component } from '../components.js';
import { BackupError, BusyError, toBackupError, UsageError } from '../../errors.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { acquireStateLock, type StateLock } from '../lock.js';
import { newOwner } from '../fs/lock-dir.js';
import { acquireOperationLock } from '../operation-lock.js';
import type { ArchiveHeader } from '../archive/manifest.js';
import type { ArchiveFormat } from '../verify/archive-layout.js';
import { inspectArchive, integrityErrorFor } from '../verify/verify-archive.js';
import { applyFull, applySelected, planFullSwap, undoOrExplain, type ApplyResult } from './apply.js';
import { archiveSelection, type CarryContext } from './carry.js';
import { archiveTime, describeChanges, newerMovedAway, newerReplaced, type RestoreChanges } from './changes.js';
import { recoverInterruptedRestores } from './recover.js';
import { JOURNAL_FILE, SwapJournal, type SwapStepHook } from './swap.js';
import { ownerReport, type PermissionReport } from './permissions.js';
import type { PlacedRoot, PlaceRootsOptions } from './place-roots.js';
import type { PathRewrite } from './rewrite-config.js';
import { planRestore, stageArchive, type RestorePlan } from './stage.js';
import { describeSelection, toRestoreSelection, type RestoreSelection } from './selection.js';
import { exists } from './swap.js';
import { flaggedWarnings } from './flagged-warnings.js';
import { existsSync } from 'node:fs';
import { checkTargetPlace, resolveThroughLinks } from './destinations.js';
import { planDestinations, type DestinationPlan } from './plan-destinations.js';
import type { ScanResult } from '../verify/scan-archive.js';
import type { NotedEntry } from '../verify/match-manifest.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { labelOf, type ArchiveInput } from '../archive/source.js';
import type { ProgressReporter } from '../progress.js';

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
  /** Identity or passphrase for an age-encrypted archive (both passes decrypt it, nothing plaintext hits the disk). */
  decrypt?: DecryptionKey | undefined;
  /** Both passes report progress: 'verify', then 'restore' (extraction). */
  progress?: ProgressReporter | undefined;
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
  files: number;
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

function stampOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function checkTarget(target: string, copy: boolean, force: boolean): Promise<void> {
  const stat = await fs.lstat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new UsageError(`restore target ${target} exists and is not a directory`);
  if (copy && stat && !force && (await fs.readdir(target)).length > 0) {
    throw new UsageError(`--target ${target} is not empty; pass --force to replace it (its contents are moved to a rollback copy)`);
  }
}

/** Restore's locks: the operation lock (waits for running backups, keeps new ones out) and then the state lock. */
async function takeRestoreLocks(target: string, options: RestoreOptions): Promise<StateLock[]> {
  const common = { command: 'openclaw-backup restore', signal: options.signal, onCompromised: options.onWarning };
  const operation = await acquireOperationLock(target, { ...common, waitMs: 60_000 });
  try {
    return [operation, await acquireStateLock(target, { ...common, waitMs: 5_000 })];
  } catch (error) {
    await operation.release();
    throw error;
  }
}

/**
 * Restores an archive: one pass extracts it into a staging dir beside the target while checking every entry (hashes,
 * manifest, databases); then each root's destination is decided from the paths the user's config names, paths in
 * openclaw.json are remapped, modes fixed, and the staged trees swapped in with a rollback copy. Nothing live changes
 * before the swap; every step of the swap is journaled, and a failed one is undone (a killed one by the next
 * command). Refuses while the gateway runs; no backup runs beside it (operation lock + state lock).
 */
export async function restoreArchive(options: RestoreOptions): Promise<RestoreResult> {
  const copy = Boolean(options.target);
  // The target the user named, through their own links (~/.openclaw -> /data/.openclaw): content goes behind the link.
  const namedTarget = options.target ? expandHome(options.target, options.paths.home) : options.paths.stateDir;
  const target = await resolveThroughLinks(namedTarget);
  const backupDir = options.backupDir ?? path.join(options.paths.stateDir, 'backups');
  await checkTargetPlace({ named: namedTarget, target, home: options.paths.home, copy, stateDir: options.paths.stateDir, backupDir });
  await checkTarget(target, copy, options.force ?? false);
  const gateway = { stateDir: target, openclaw: copy ? undefined : options.openclaw, checkPort: !copy, action: 'restore' };
  if (!options.dryRun) await assertGatewayStopped(gateway);

  const placeOptions: PlaceRootsOptions = {
    target,
    copy,
    home: options.paths.home,
    configPath: options.paths.configPath,
    dirExists: (dir) => existsSync(dir),
  };
  const targetLink = namedTarget !== target ? namedTarget : undefined;
  const only = toRestoreSelection(options.only);
  const base = { archive: labelOf(options.archive), target, targetLink, components: describeSelection(only) };
  const describeRoots = (roots: PlacedRoot[]) =>
    roots.map(({ id, role, source, destination, placement, via }) => ({
      id,
      role,
      source,
      destination,
      placement,
      ...(via ? { via } : {}),
    }));
  const decide = (scan: ScanResult) =>
    planDestinations({ scan, place: placeOptions, only, namedTarget, paths: options.paths, live: options.openclaw, backupDir });
  const carryFor = (scan: ScanResult, pinnedLinks: string[]): CarryContext => {
    const header = scan.layout?.format === 'openclaw-backup' ? (scan.header as ArchiveHeader) : undefined;
    return {
      target,
      inPlace: !copy,
      selection: archiveSelection(header, options.exclude),
      backupDir: options.backupDir,
      openclaw: options.openclaw,
      home: options.paths.home,
      pinnedLinks,
    };
  };

  if (options.dryRun) {
    const { result: verified, scan } = await inspectArchive(options.archive, {
      signal: options.signal,
      decrypt: options.decrypt,
      progress: options.progress,
    });
    if (!verified.ok || !scan) throw integrityErrorFor(verified);
    const destinations = await decide(scan);
    const plan = planRestore(scan, destinations.place, only);
    assertSomethingSelected(plan, only, base.archive);
    const swaps = only ? undefined : await planFullSwap(plan, '', carryFor(scan, destinations.carry));
    const changes = await describeChanges(plan, swaps, archiveTime(scan));
    const files = plan.selected.filter((e) => e.kind !== 'directory').length;
    return {
      ...base,
      format: verified.format,
      dryRun: true,
      files,
      roots: describeRoots(plan.roots),
      rollback: [],
      carried: changes.carried,
      newer: changes.newer,
      rewrites: [],
      permissions: undefined,
      changes,
      warnings: [...destinations.notes, ...flaggedWarnings(verified.flagged ?? [], plan), ...notedWarnings(verified.noted)],
    };
  }

  // One pass (stage.ts): the archive is checked while it is written into the staging dir, and the staging dir's
  // free space is checked against the sizes the archive declares as they come.
  const createdTarget = !(await exists(target));
  if (createdTarget) await fs.mkdir(target, { recursive: true, mode: 0o700 });
  let keepStaging = false;
  try {
    const locks = await takeRestoreLocks(target, options);
    try {
      const recovered = await recoverInterruptedRestores(target, { heldTarget: target, signal: options.signal });
      const warnings = [...recovered.warnings];
      const staging = path.join(path.dirname(await fs.realpath(target)), `${RESTORE_STAGING_PREFIX}${tempSuffix()}`);
      await fs.mkdir(staging, { mode: 0o700 });
      let journal: SwapJournal | undefined;
      try {
        journal = await SwapJournal.open(
          path.join(staging, JOURNAL_FILE),
          { pid: process.pid, owner: newOwner('openclaw-backup restore'), target, startedAt: new Date().toISOString() },
          options.onSwapStep,
        );
        let destinations: DestinationPlan | undefined;
        const decidePlace = async (scan: ScanResult) => {
          destinations = await decide(scan);
          return destinations.place;
        };
        const staged = await stageArchive({
          archive: options.archive,
          staging,
          decidePlace,
          only,
          newHome: options.paths.home,
          signal: options.signal,
          decrypt: options.decrypt,
          progress: options.progress,
        });
        const planned = destinations as DestinationPlan | undefined;
        assertSomethingSelected(staged.plan, only, base.archive);
        warnings.push(...(planned?.notes ?? []));
        await assertGatewayStopped(gateway);
        if (locks.some((lock) => lock.compromised())) throw new BusyError(`the restore's lock on ${target} was lost; nothing was changed`);
        const stamp = stampOf((options.now ?? (() => new Date()))());
        const carry = carryFor(staged.scan, planned?.carry ?? []);
        const madeAt = archiveTime(staged.scan);
        const swaps = only ? undefined : await planFullSwap(staged.plan, staging, carry);
        const newer = swaps ? await newerMovedAway(swaps, madeAt) : await newerReplaced(staged.plan, madeAt);
        if (newer.length) options.onWarning?.(`${describeNewer(newer, madeAt)}; they will be moved to the rollback copy`);
        let applied: ApplyResult;
        try {
          applied = swaps ? await applyFull(journal, swaps, carry, stamp) : await applySelected(journal, staged, staging, stamp, target);
          throwIfSignalled(options.signal);
          await journal.commit();
        } catch (error) {
          const undone = await undoOrExplain(journal, error, staging);
          keepStaging = undone.keepStaging;
          throw undone.error;
        }
        const files = staged.plan.selected.filter((e) => e.kind !== 'directory').length;
        warnings.push(...flaggedWarnings(staged.verify.flagged ?? [], staged.plan), ...notedWarnings(staged.verify.noted));
        warnings.push(
          ...(applied.movedLinks ?? []).map(
            (link) =>
              `${link} stood where restored files go: moved to ${applied.rollback[0] ?? 'the rollback copy'}, restored as a directory`,
          ),
        );
        warnings.push(...applied.conflicts.map((file) => `kept the live ${file}; the archive's copy of it was not restored`));
        if (newer.length)
          warnings.push(`${describeNewer(newer, madeAt)}; they are in ${applied.rollback.join(', ') || 'the rollback copy'}`);
        warnings.push(...(await ownershipWarnings(target)));
        return {
          ...base,
          format: staged.verify.format,
          dryRun: false,
          files,
          roots: describeRoots(staged.plan.roots),
          rollback: applied.rollback,
          carried: applied.carried,
          newer,
          rewrites: staged.rewrites,
          permissions: ownerReport(staged.privateFiles),
          changes: undefined,
          warnings,
        };
      } finally {
        await journal?.close();
        if (!keepStaging) await fs.rm(staging, { recursive: true, force: true });
      }
    } finally {
      for (const lock of locks.reverse()) await lock.release();
    }
  } catch (error) {
    // A target this restore created goes again, unless a swap that could not be undone left things in it.
    if (createdTarget && !keepStaging) await fs.rm(target, { recursive: true, force: true }).catch(() => {});
    // A raw fs error (ENOSPC while staging) is a failure with one clear line, not an "unexpected error".
    throw toBackupError(error, 'restore');
  }
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

/** Running as root into a directory another user owns is the "copied as root" footgun: say so. */
async function ownershipWarnings(target: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const parent = await fs.stat(path.dirname(target)).catch(() => undefined);
  if (parent && parent.uid !== 0) {
    return [
      `restored files belong to root, but ${path.dirname(target)} belongs to uid ${parent.uid}; run restore as that user, or chown -R ${parent.uid}:${parent.gid} ${target}`,
    ];
  }
  return [];
}
