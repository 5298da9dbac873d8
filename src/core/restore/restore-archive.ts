import { cleanStaleRestoreStaging, RESTORE_STAGING_PREFIX } from '../fs/temp-files.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expandHome, isInside, type StatePaths } from '../../config/paths.js';
import { tempSuffix } from '../fs/atomic.js';
import type { Component } from '../components.js';
import { BackupError, toBackupError, UsageError } from '../../errors.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { LOCK_NAME, withStateLock } from '../lock.js';
import type { ArchiveFormat } from '../verify/archive-layout.js';
import { inspectArchive, integrityErrorFor } from '../verify/verify-archive.js';
import { applyFull, applySelected } from './apply.js';
import { ownerReport, type PermissionReport } from './permissions.js';
import type { PlacedRoot, PlaceRootsOptions } from './place-roots.js';
import type { PathRewrite } from './rewrite-config.js';
import { planRestore, stageArchive } from './stage.js';
import { rootOf } from './roots.js';
import { exists } from './swap.js';
import { flaggedWarnings } from './flagged-warnings.js';
import { existsSync } from 'node:fs';
import type { DecryptionKey } from '../crypto/keys.js';
import { labelOf, type ArchiveInput } from '../archive/source.js';
import type { ProgressReporter } from '../progress.js';

export interface RestoreOptions {
  /** A path, or a source (a backup in a store, see src/core/store/). */
  archive: ArchiveInput;
  paths: StatePaths;
  /** --target DIR: restore a separate copy there instead of over the state dir. */
  target?: string | undefined;
  only?: Component[] | undefined;
  dryRun?: boolean;
  /** Allow restoring over a non-empty --target (its contents become the rollback copy). */
  force?: boolean;
  /** The live openclaw.json, when readable: the gateway port to probe. */
  openclaw?: Record<string, unknown> | undefined;
  /** The live backups dir, carried over untouched when it lives inside the state dir. */
  backupDir?: string | undefined;
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
  dryRun: boolean;
  components: Component[] | 'all';
  files: number;
  roots: Array<Pick<PlacedRoot, 'id' | 'role' | 'source' | 'destination' | 'placement'>>;
  /** Where the replaced state was moved; remove when satisfied. */
  rollback: string[];
  rewrites: PathRewrite[];
  permissions: PermissionReport | undefined;
  /** Dry run: destinations that would be created or replaced. */
  changes: { added: string[]; replaced: string[] } | undefined;
  warnings: string[];
}

function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function checkTarget(target: string, home: string, copy: boolean, force: boolean): Promise<void> {
  if (target === path.parse(target).root || isInside(target, home)) {
    throw new UsageError(`refusing to restore over ${target}: it is the file system root or contains your home directory`);
  }
  const stat = await fs.lstat(target).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new UsageError(`restore target ${target} exists and is not a directory`);
  if (copy && stat && !force && (await fs.readdir(target)).length > 0) {
    throw new UsageError(`--target ${target} is not empty; pass --force to replace it (its contents are moved to a rollback copy)`);
  }
}

function carriedNames(target: string, backupDir: string | undefined): string[] {
  const names = [LOCK_NAME, 'backups'];
  if (backupDir && isInside(target, backupDir) && backupDir !== target) names.push(path.relative(target, backupDir).split(path.sep)[0] as string);
  return [...new Set(names)];
}

/**
 * Restores an archive: verify it fully (first pass), extract into a staging dir beside the target and check every
 * entry again (second pass), remap paths in openclaw.json, fix modes, then swap it in with a rollback copy. Nothing
 * live changes before the swap, and a failed swap is undone. Refuses while the gateway runs; takes the state lock.
 */
export async function restoreArchive(options: RestoreOptions): Promise<RestoreResult> {
  const copy = Boolean(options.target);
  const target = options.target ? expandHome(options.target, options.paths.home) : options.paths.stateDir;
  await checkTarget(target, options.paths.home, copy, options.force ?? false);
  const gateway = { stateDir: target, openclaw: copy ? undefined : options.openclaw, checkPort: !copy, action: 'restore' };
  if (!options.dryRun) await assertGatewayStopped(gateway);

  const { result: verified, scan } = await inspectArchive(options.archive, { signal: options.signal, decrypt: options.decrypt, progress: options.progress });
  if (!verified.ok || !scan) throw integrityErrorFor(verified);
  const place: PlaceRootsOptions = { target, copy, home: options.paths.home, dirExists: (dir) => existsSync(dir) };
  const base = { archive: labelOf(options.archive), format: verified.format, target, components: options.only ?? ('all' as const), warnings: [] as string[] };
  const describeRoots = (roots: PlacedRoot[]) => roots.map(({ id, role, source, destination, placement }) => ({ id, role, source, destination, placement }));

  if (options.dryRun) {
    const plan = planRestore(scan, place, options.only);
    const changes = { added: [] as string[], replaced: [] as string[] };
    for (const entry of plan.selected) {
      if (entry.kind === 'directory') continue;
      const found = rootOf(plan.roots, entry.rel);
      if (!found) continue;
      const dest = found.inner ? path.join(found.root.destination, found.inner) : found.root.destination;
      ((await exists(dest)) ? changes.replaced : changes.added).push(dest);
    }
    const files = plan.selected.filter((e) => e.kind !== 'directory').length;
    return { ...base, dryRun: true, files, roots: describeRoots(plan.roots), rollback: [], rewrites: [], permissions: undefined, changes, warnings: flaggedWarnings(verified.flagged ?? [], plan) };
  }

  await checkFreeSpace(path.dirname(target), verified.checked.bytes);
  const createdTarget = !(await exists(target));
  if (createdTarget) await fs.mkdir(target, { recursive: true, mode: 0o700 });
  try {
    return await withStateLock(target, { command: 'openclaw-backup restore', signal: options.signal, waitMs: 5_000 }, async () => {
      const leftovers = await cleanStaleRestoreStaging(target);
      const leftoverWarnings = leftovers.kept.map((dir) => `${dir} was left by a killed restore and holds a backups dir; move it back by hand`);
      const staging = path.join(path.dirname(target), `${RESTORE_STAGING_PREFIX}${tempSuffix()}`);
      await fs.mkdir(staging, { mode: 0o700 });
      try {
        const staged = await stageArchive({ archive: options.archive, firstPass: scan, verify: verified, staging, place, only: options.only, newHome: options.paths.home, signal: options.signal, decrypt: options.decrypt, progress: options.progress });
        await assertGatewayStopped(gateway);
        const stamp = stampOf((options.now ?? (() => new Date()))());
        const applied = options.only
          ? await applySelected(staged, staging, stamp, target)
          : await applyFull(staged, staging, stamp, carriedNames(target, options.backupDir));
        const files = staged.plan.selected.filter((e) => e.kind !== 'directory').length;
        const warnings = [...leftoverWarnings, ...flaggedWarnings(verified.flagged ?? [], staged.plan), ...(await ownershipWarnings(target))];
        return {
          ...base, dryRun: false, files, roots: describeRoots(staged.plan.roots), rollback: applied.rollback, rewrites: staged.rewrites,
          permissions: ownerReport(staged.privateFiles), changes: undefined, warnings,
        };
      } finally {
        await fs.rm(staging, { recursive: true, force: true });
      }
    });
  } catch (error) {
    if (createdTarget) await fs.rm(target, { recursive: true, force: true }).catch(() => {});
    // A raw fs error (ENOSPC while staging) is a failure with one clear line, not an "unexpected error".
    throw toBackupError(error, 'restore');
  }
}

async function checkFreeSpace(dir: string, needed: number): Promise<void> {
  const stat = await fs.statfs(dir).catch(() => undefined);
  if (!stat) return;
  const free = stat.bavail * stat.bsize;
  if (free < needed) throw new BackupError('failure', `not enough space in ${dir}: the archive expands to ${needed} bytes, ${free} are free`);
}

/** Running as root into a directory another user owns is the "copied as root" footgun: say so. */
async function ownershipWarnings(target: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const parent = await fs.stat(path.dirname(target)).catch(() => undefined);
  if (parent && parent.uid !== 0) {
    return [`restored files belong to root, but ${path.dirname(target)} belongs to uid ${parent.uid}; run restore as that user, or chown -R ${parent.uid}:${parent.gid} ${target}`];
  }
  return [];
}

