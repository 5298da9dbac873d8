import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { BackupError, isBackupError, UsageError } from '../../errors.js';
import { cleanStaleTemps } from '../fs/temp-files.js';
import { diagnoseRepository } from './restic-diagnose.js';
import { cacheRoot, stateCacheOf, type StateCache } from './restic-cache.js';
import { snapshotLabel, snapshotSource } from './restic-read.js';
import { localPathOf, type ResticRepository } from './restic-repository.js';
import { anySignal, parseJsonLines, runRestic } from './restic-run.js';
import { listSeries } from './restic-series.js';
import {
  bytesTag,
  componentsTag,
  findById,
  listOurSnapshots,
  seriesTags,
  toStoredBackup,
  type ResticSnapshot,
} from './restic-snapshots.js';
import { writeSnapshot } from './restic-write.js';
import { setAsideFuture } from './suspect.js';
import type { BackupContent, BackupListing, BackupStore, ListOptions, StoredBackup, WrittenBackup } from './types.js';
import { readStatus, wasMadeHere } from '../status-record.js';
import { readStateIdentity } from '../identity/identity-file.js';

export interface ResticStoreOptions {
  repo: ResticRepository;
  stateDir: string;
  profile: string;
  /** Where our cache dir goes (`~/.cache`'s parent): the home dir. */
  home: string;
  hostname?: string;
  /** The backups dir: where snapshots made before state ids kept their one tree (they are adopted by it). */
  backupsDir: string;
  /** The profile was named (--profile, OPENCLAW_PROFILE): a repository-wide listing shows only its snapshots. */
  profileChosen?: boolean | undefined;
  /** Commands that write (create, run, the daemon, prune) tag this state's snapshots from before state ids into its series. */
  adopt?: boolean | undefined;
  /** The command's abort signal: every restic child of this store stops with it. */
  signal?: AbortSignal | undefined;
}

/**
 * The snapshot restic compares against (it reuses the content of files whose metadata did not change): this state's
 * newest one that its status record does not disown. A snapshot anyone with the password added to the series is
 * never the parent, so its content is never carried into a real backup.
 */
async function trustedParent(stateDir: string, list: () => Promise<StoredBackup[]>): Promise<string | undefined> {
  const [archives, { record }] = await Promise.all([list(), readStatus(stateDir)]);
  return archives.find((backup) => wasMadeHere(record, backup) !== false)?.snapshot;
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
 * dir of ours (header, manifest lists, database snapshots). Only this state's snapshots are listed (its state id,
 * src/core/identity/), so retention never sees, let alone forgets, anyone else's snapshots in a shared repository.
 */
export function resticStore(options: ResticStoreOptions): BackupStore {
  const { repo } = options;
  const hostname = options.hostname ?? os.hostname();
  const root = cacheRoot(options.home, repo.env);
  // The state's cache dir is keyed by its id, known once createBackup has made it (prepareWrite).
  let cache: StateCache | undefined;
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
  const remember = (snapshots: ResticSnapshot[]) => {
    for (const snapshot of snapshots) known.set(snapshot.id, snapshot.paths);
  };
  const owner = { stateDir: options.stateDir, profile: options.profile, hostname, backupsDir: options.backupsDir };
  const listing = async (list: ListOptions = {}, signal?: AbortSignal): Promise<BackupListing> => {
    const view = await listSeries(repo, owner, { ...list, profileChosen: options.profileChosen, adopt: options.adopt }, bound(signal));
    remember(view.snapshots);
    const { archives, suspect } = setAsideFuture(
      view.snapshots.map((snapshot) => toStoredBackup(snapshot, repo)),
      list.now ?? new Date(),
    );
    return { location: repo.location, archives, ignored: [], suspect, scope: view.scope };
  };
  const list = async (signal?: AbortSignal) => (await listing({}, signal)).archives;
  // A command that only removes (prune) made no backup: its cache dir is the one its state id names.
  const stateCache = async (): Promise<StateCache> =>
    cache ?? stateCacheOf(root, (await readStateIdentity(options.stateDir))?.stateId ?? 'unidentified');
  // restic unlock removes only stale locks: ones older than 30 minutes, or of a dead process on this host.
  const unlock = (signal?: AbortSignal) => runRestic(repo, ['unlock'], { signal: bound(signal) });

  return {
    noun: 'snapshots',
    suspectAdvice:
      'check the clocks of the machines that write there; a snapshot none of them made is forged: remove it (restic forget ID) and change the repository password',
    location: repo.location,
    list: (list) => listing(list),
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
      cache = stateCacheOf(root, context.stateId ?? 'unidentified');
      if (context.create) {
        if (!context.stateId) throw new BackupError('failure', 'restic store: a backup needs the state id (createBackup makes it)');
        await fs.mkdir(cache.dir, { recursive: true, mode: 0o700 });
        await cleanStaleTemps(cache.dir);
        // Opens the repository (a wrong password or a missing repository fails here, before anything is read)
        // and removes the stale lock a killed run of ours left.
        await unlock();
      } else await runRestic(repo, ['cat', 'config'], { signal: bound() });
      const prepared = cache;
      const write = async (content: BackupContent): Promise<WrittenBackup> => {
        const stateId = content.header.stateId;
        if (!stateId) throw new BackupError('failure', 'restic store: a snapshot needs the state id (createBackup makes it)');
        const signal = bound(content.signal);
        return writeSnapshot(
          {
            repo,
            cache: prepared,
            profile: options.profile,
            tags: (c, bytes) => [...seriesTags({ stateId, profile: options.profile }), componentsTag(c.components), bytesTag(bytes)],
            host: hostname,
            parent: () => trustedParent(options.stateDir, () => list(signal)),
            made: (snapshot) => known.set(snapshot.id, snapshot.paths),
          },
          { ...content, signal },
        );
      };
      // Our cache dir is never part of a tree restic reads, wherever XDG_CACHE_HOME points.
      return { scratchDir: cache.dir, excludeFromWalk: [root], name: undefined, compression: 'none', databasesBeside: false, write };
    },
    async remove(backups, removeOptions = {}) {
      const ids = backups.map((b) => b.snapshot ?? b.archive);
      if (ids.length === 0) return;
      await unlock();
      await runRestic(repo, ['forget', ...ids], { signal: bound(), command: 'forget' });
      // restic's prune reads every index and tree to free what no snapshot uses: once a day is what restic's own
      // docs suggest; a schedule every few minutes would otherwise spend most of its time there.
      const { dir } = await stateCache();
      if (removeOptions.reclaim === 'now' || (await pruneDue(dir))) {
        await runRestic(repo, ['prune'], { signal: bound(), command: 'prune' });
        await fs
          .mkdir(dir, { recursive: true, mode: 0o700 })
          .then(() => fs.writeFile(path.join(dir, PRUNE_STAMP), `${new Date().toISOString()}\n`, { mode: 0o600 }))
          .catch(() => {});
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
      const { archives, suspect } = await listing({}, signal);
      // What this state's snapshots take in the repository: restic's raw-data mode over exactly them.
      const ids = archives.map((a) => a.snapshot ?? a.archive);
      const raw =
        ids.length > 0
          ? (parseJsonLines(
              await runRestic(repo, ['stats', '--json', '--mode', 'raw-data', ...ids], { signal: bound(signal), command: 'stats' }),
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
        suspect,
      };
    },
    diagnose: (now, signal) => diagnoseRepository(repo, () => list(signal), now, bound(signal)),
    async init({ signal, dryRun } = {}) {
      if (dryRun) return { created: false };
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
      if (!/^[0-9a-f]{4,64}$/.test(ref)) return undefined;
      const snapshot = findById(await listOurSnapshots(repo, bound(signal)), ref);
      if (!snapshot) return undefined;
      remember([snapshot]);
      return toStoredBackup(snapshot, repo);
    },
  };
}
