import os from 'node:os';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError, isBackupError, UsageError } from '../../errors.js';
import { ARCHIVE_ROOT } from '../archive/manifest.js';
import { diagnoseRepository } from './restic-diagnose.js';
import { beginSnapshot, type ResticStatus } from './restic-draft.js';
import { localPathOf, type ResticRepository } from './restic-repository.js';
import { parseJsonLines, runRestic } from './restic-run.js';
import { mirrorDirIn } from './restic-mirror.js';
import { findSnapshot, listSnapshots, scopeArgs, toStoredBackup, treePathOf, type SnapshotScope } from './restic-snapshots.js';
import { dumpSource, snapshotLabel } from './restic-source.js';
import type { BackupStore, StoredBackup } from './types.js';

export interface ResticStoreOptions {
  repo: ResticRepository;
  stateDir: string;
  profile: string;
  hostname?: string;
  /** The local backups dir: where database snapshots and the manifest are staged while restic reads the archive. */
  scratch: BackupStore;
  /** restic's status lines while a backup streams in (progress). */
  onStatus?: ((status: ResticStatus) => void) | undefined;
  /** The command's abort signal: every restic child of this store stops with it. */
  signal?: AbortSignal | undefined;
}

interface LsNode {
  struct_type?: string;
  type?: string;
  path?: string;
  size?: number;
}

/**
 * A restic repository: one snapshot per backup holding our uncompressed archive (restic deduplicates, compresses
 * and encrypts it). Only snapshots with our tag, this profile and this host are listed, so retention never sees,
 * let alone forgets, anyone else's snapshots in a shared repository.
 */
export function resticStore(options: ResticStoreOptions): BackupStore {
  const { repo } = options;
  const scope: SnapshotScope = { profile: options.profile, hostname: options.hostname ?? os.hostname() };
  // Where each snapshot keeps its tree, learnt from listing (the mirror's path, unless it was made elsewhere).
  const trees = new Map<string, string>();
  let mirrorDir: string | undefined;
  const treeOf = (backup: StoredBackup) => trees.get(backup.snapshot ?? backup.archive) ?? path.join(mirrorDir ?? '', ARCHIVE_ROOT);
  // Every child gets the command's signal, and the call's own when it has one.
  const bound = (signal?: AbortSignal) =>
    signal && options.signal && signal !== options.signal ? AbortSignal.any([signal, options.signal]) : (signal ?? options.signal);
  const list = async (signal?: AbortSignal) => {
    const snapshots = await listSnapshots(repo, scope, bound(signal));
    for (const snapshot of snapshots) trees.set(snapshot.id, treePathOf(snapshot));
    return snapshots.map((snapshot) => toStoredBackup(snapshot, repo, options.profile));
  };
  // restic unlock removes only stale locks: ones older than 30 minutes, or of a dead process on this host.
  const unlock = () => runRestic(repo, ['unlock'], { signal: bound() });

  return {
    kind: 'restic',
    location: repo.location,
    async list() {
      return { location: repo.location, archives: await list(), ignored: [] };
    },
    source: (backup) =>
      dumpSource(
        repo,
        { id: backup.snapshot ?? backup.archive, shortId: backup.archive, tree: treeOf(backup), bytes: backup.bytes },
        bound(),
      ),
    async prepareWrite(context) {
      if (context.encrypted) {
        throw new UsageError(
          `${repo.keyPath}: a repository is encrypted by restic with its password; age encryption is not used with it (drop --encrypt-to / --passphrase-file, or write a local archive with --output)`,
        );
      }
      const local = localPathOf(repo.url);
      const scratch = await options.scratch.prepareWrite({ ...context, encrypted: false });
      const excludeFromWalk = [...scratch.excludeFromWalk];
      for (const root of context.sourceRoots) {
        if (!local || !isInside(root, local)) continue;
        if (!isInside(scratch.scratchDir, local)) {
          throw new UsageError(
            `${repo.keyPath}: the repository ${local} is inside the backed-up tree ${root}; put it outside (or inside ${scratch.scratchDir})`,
          );
        }
      }
      // Opens the repository (a wrong password or a missing repository fails here, before anything is written)
      // and removes the stale lock a killed run of ours left.
      mirrorDir = mirrorDirIn(scratch.scratchDir);
      if (context.create) await unlock();
      else await runRestic(repo, ['cat', 'config'], { signal: bound() });
      return { scratchDir: scratch.scratchDir, excludeFromWalk, name: undefined, compression: 'none' };
    },
    async begin(meta) {
      if (!mirrorDir) throw new BackupError('failure', 'restic store: begin() before prepareWrite()');
      const draft = await beginSnapshot(repo, {
        scope,
        mirrorDir,
        createdAt: meta.createdAt,
        components: meta.components ?? [],
        onStatus: options.onStatus,
        signal: bound(),
      });
      const tree = path.join(mirrorDir, ARCHIVE_ROOT);
      return {
        target: draft.target,
        abort: () => draft.abort(),
        async commit() {
          const committed = await draft.commit();
          trees.set(committed.snapshot as string, tree);
          return committed;
        },
      };
    },
    async remove(backups) {
      const ids = backups.map((b) => b.snapshot ?? b.archive);
      if (ids.length === 0) return;
      await unlock();
      await runRestic(repo, ['forget', '--prune', ...ids], { signal: bound(), command: 'forget --prune' });
    },
    async checkStored(backup, signal) {
      // The snapshot and its tree load and hold the archive; every data blob is authenticated by restic while
      // our verify reads the archive through `restic dump` (one read of the data, not two).
      const id = backup.snapshot ?? backup.archive;
      try {
        const nodes = parseJsonLines(
          await runRestic(repo, ['ls', '--json', id, treeOf(backup)], { signal: bound(signal), command: 'ls' }),
        ) as LsNode[];
        const header = path.posix.join(treeOf(backup), 'header.json');
        if (!nodes.some((n) => n.struct_type === 'node' && n.type === 'file' && n.path === header)) {
          return [{ path: snapshotLabel(repo, backup.archive), reason: `the snapshot holds no ${header}: not a backup of ours` }];
        }
        return [];
      } catch (error) {
        if (isBackupError(error) && error.kind === 'integrity')
          return [{ path: snapshotLabel(repo, backup.archive), reason: error.message }];
        throw error;
      }
    },
    async stats(signal) {
      const archives = await list(signal);
      const raw =
        archives.length > 0
          ? (parseJsonLines(
              await runRestic(repo, ['stats', '--json', '--mode', 'raw-data', ...scopeArgs(scope)], {
                signal: bound(signal),
                command: 'stats',
              }),
            )[0] as { total_size?: number } | undefined)
          : undefined;
      const newest = archives[0];
      return {
        kind: 'restic',
        location: repo.location,
        count: archives.length,
        bytes: archives.reduce((sum, a) => sum + a.bytes, 0),
        storedBytes: raw?.total_size ?? 0,
        newest: newest ? { archive: newest.archive, createdAt: newest.createdAt, snapshot: newest.snapshot, bytes: newest.bytes } : null,
      };
    },
    diagnose: (now, signal) => diagnoseRepository(repo, () => list(signal), now, bound(signal)),
    async init(signal) {
      try {
        await runRestic(repo, ['cat', 'config'], { signal: bound(signal) });
        return { created: false };
      } catch (error) {
        if (!isBackupError(error) || error.kind !== 'config' || !/no restic repository/.test(error.message)) throw error;
      }
      await runRestic(repo, ['init'], { signal: bound(signal) });
      return { created: true };
    },
    async find(ref, signal) {
      const snapshot = await findSnapshot(repo, ref, bound(signal));
      if (!snapshot) return undefined;
      trees.set(snapshot.id, treePathOf(snapshot));
      const profile = snapshot.tags?.find((t) => t.startsWith('profile:'))?.slice('profile:'.length) ?? options.profile;
      return toStoredBackup(snapshot, repo, profile);
    },
  };
}
