import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { isBackupError, UsageError } from '../../errors.js';
import { cleanStaleTemps } from '../fs/temp-files.js';
import { diagnoseRepository } from './restic-diagnose.js';
import { cacheRoot, stateCacheOf } from './restic-cache.js';
import { snapshotLabel, snapshotSource } from './restic-read.js';
import { localPathOf, type ResticRepository } from './restic-repository.js';
import { anySignal, parseJsonLines, runRestic } from './restic-run.js';
import {
  bytesTag,
  componentsTag,
  findSnapshot,
  listSnapshots,
  scopeArgs,
  scopeTags,
  toStoredBackup,
  type SnapshotScope,
} from './restic-snapshots.js';
import { writeSnapshot } from './restic-write.js';
import type { BackupStore } from './types.js';

export interface ResticStoreOptions {
  repo: ResticRepository;
  stateDir: string;
  profile: string;
  /** The state's id: its snapshots' series, and its cache dir. */
  stateId: string;
  /** Where our cache dir goes (`~/.cache`'s parent): the home dir. */
  home: string;
  hostname?: string;
  /** The command's abort signal: every restic child of this store stops with it. */
  signal?: AbortSignal | undefined;
}

const PRUNE_STAMP = 'last-prune';
const PRUNE_EVERY_MS = 24 * 3600_000;

/** True when this state's last prune of the repository was a day ago or more (or never). */
async function pruneDue(dir: string): Promise<boolean> {
  const stat = await fs.stat(path.join(dir, PRUNE_STAMP)).catch(() => undefined);
  return !stat || Date.now() - stat.mtimeMs >= PRUNE_EVERY_MS;
}

/**
 * A restic repository: one snapshot per backup, made by restic from the source trees themselves plus a small meta
 * dir of ours (header, manifest lists, database snapshots). Only this state's snapshots are listed, so retention
 * never sees, let alone forgets, anyone else's snapshots in a shared repository.
 */
export function resticStore(options: ResticStoreOptions): BackupStore {
  const { repo } = options;
  const scope: SnapshotScope = { profile: options.profile, hostname: options.hostname ?? os.hostname() };
  const root = cacheRoot(options.home, repo.env);
  const cache = stateCacheOf(root, options.stateId);
  // Every child gets the command's signal, and the call's own when it has one.
  const bound = (signal?: AbortSignal) => anySignal(signal, options.signal);
  // Each snapshot's paths (its trees and meta dir), learnt from listing; looked up when a snapshot was not listed.
  const known = new Map<string, string[]>();
  const pathsOf = async (id: string): Promise<string[]> => {
    const cached = known.get(id);
    if (cached) return cached;
    const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', id], { signal: bound() }))[0] as
      { id?: string; paths?: string[] }[] | undefined;
    const paths = listed?.find((s) => s.id === id)?.paths ?? [];
    known.set(id, paths);
    return paths;
  };
  const list = async (signal?: AbortSignal) => {
    const snapshots = await listSnapshots(repo, scope, bound(signal));
    for (const snapshot of snapshots) known.set(snapshot.id, snapshot.paths);
    return snapshots.map((snapshot) => toStoredBackup(snapshot, repo, options.profile));
  };
  // restic unlock removes only stale locks: ones older than 30 minutes, or of a dead process on this host.
  const unlock = (signal?: AbortSignal) => runRestic(repo, ['unlock'], { signal: bound(signal) });

  return {
    kind: 'restic',
    location: repo.location,
    async list() {
      return { location: repo.location, archives: await list(), ignored: [] };
    },
    source: (backup) =>
      snapshotSource(
        repo,
        { id: backup.snapshot ?? backup.archive, shortId: backup.archive, paths: () => pathsOf(backup.snapshot ?? backup.archive) },
        path.join(root, 'scratch'),
        bound(),
      ),
    async prepareWrite(context) {
      if (context.encrypted) {
        throw new UsageError(
          `${repo.keyPath}: a repository is encrypted by restic with its password; age encryption is not used with it (drop --encrypt-to / --passphrase-file, or write a local archive with --output)`,
        );
      }
      const local = localPathOf(repo.url);
      for (const tree of context.sourceRoots) {
        if (local && isInside(tree, local))
          throw new UsageError(`${repo.keyPath}: the repository ${local} is inside the backed-up tree ${tree}; put it outside`);
      }
      if (context.create) {
        await fs.mkdir(cache.dir, { recursive: true, mode: 0o700 });
        await cleanStaleTemps(cache.dir);
        // Opens the repository (a wrong password or a missing repository fails here, before anything is read)
        // and removes the stale lock a killed run of ours left.
        await unlock();
      } else await runRestic(repo, ['cat', 'config'], { signal: bound() });
      // Our cache dir is never part of a tree restic reads, wherever XDG_CACHE_HOME points.
      return { scratchDir: cache.dir, excludeFromWalk: [root], name: undefined, compression: 'none' };
    },
    async write(content) {
      const signal = bound(content.signal);
      const written = await writeSnapshot(
        {
          repo,
          cache,
          profile: options.profile,
          tags: (c, bytes) => [...scopeTags(scope), componentsTag(c.components), bytesTag(bytes)],
          host: scope.hostname,
          parent: async () => (await list(signal))[0]?.snapshot,
        },
        { ...content, signal },
      );
      if (written.stored.snapshot) known.delete(written.stored.snapshot);
      return written;
    },
    async remove(backups, removeOptions = {}) {
      const ids = backups.map((b) => b.snapshot ?? b.archive);
      if (ids.length === 0) return;
      await unlock();
      await runRestic(repo, ['forget', ...ids], { signal: bound(), command: 'forget' });
      // restic's prune reads every index and tree to free what no snapshot uses: once a day is what restic's own
      // docs suggest; a schedule every few minutes would otherwise spend most of its time there.
      if (removeOptions.reclaim === 'now' || (await pruneDue(cache.dir))) {
        await runRestic(repo, ['prune'], { signal: bound(), command: 'prune' });
        await fs.writeFile(path.join(cache.dir, PRUNE_STAMP), `${new Date().toISOString()}\n`, { mode: 0o600 }).catch(() => {});
      }
    },
    async checkStored(backup, signal) {
      // The snapshot loads and names our meta dir; every blob is authenticated by restic while verify reads it back.
      try {
        const paths = await pathsOf(backup.snapshot ?? backup.archive);
        if (paths.length === 0) return [{ path: snapshotLabel(repo, backup.archive), reason: 'restic does not list this snapshot' }];
        return [];
      } catch (error) {
        if (isBackupError(error) && error.kind === 'integrity')
          return [{ path: snapshotLabel(repo, backup.archive), reason: error.message }];
        throw error;
      } finally {
        void signal;
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
      known.set(snapshot.id, snapshot.paths);
      const profile = snapshot.tags?.find((t) => t.startsWith('profile:'))?.slice('profile:'.length) ?? options.profile;
      return toStoredBackup(snapshot, repo, profile);
    },
  };
}
