import fs from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../../errors.js';
import { archiveEntries } from '../archive/archive-entries.js';
import type { Manifest } from '../archive/manifest.js';
import { acquireStateLock } from '../locks/lock.js';
import { EntryListWriter } from './entry-lists.js';
import { HashCache } from './hash-cache.js';
import { excludePattern, runResticBackup } from './restic-backup.js';
import type { StateCache } from './restic-cache.js';
import type { ResticRepository } from './restic-repository.js';
import { parseJsonLines, runRestic } from './restic-run.js';
import { ResticSink } from './restic-sink.js';
import type { BackupContent, WrittenBackup } from './types.js';

export interface SnapshotWriteOptions {
  repo: ResticRepository;
  cache: StateCache;
  profile: string;
  /** The snapshot's tags (ours, the state's, the components'). */
  tags: (content: BackupContent, contentBytes: number) => string[];
  host: string;
  /** This state's newest snapshot, as the parent restic compares against. */
  parent: () => Promise<string | undefined>;
  /** The snapshot made, as restic lists it (its full id and paths): what reading it back needs, so not asked again. */
  made: (snapshot: { id: string; paths: string[] }) => void;
}

const META_LOCK = 'openclaw-backup-snapshot.lock';

/** Writes a file unless it already holds exactly this (its inode and times then stay, and restic skips it). */
async function writeIfChanged(file: string, text: string): Promise<void> {
  if ((await fs.readFile(file, 'utf8').catch(() => undefined)) === text) return;
  await fs.writeFile(`${file}.tmp`, text, { mode: 0o600 });
  await fs.rename(`${file}.tmp`, file);
}

/** Lines of an exclude file: each path once, none below another one (restic leaves a whole subtree out). */
function collapseExcludes(paths: Iterable<string>): string[] {
  const all = new Set(paths);
  const out: string[] = [];
  for (const p of [...all].sort()) {
    let covered = false;
    for (let parent = path.dirname(p); parent !== path.dirname(parent); parent = path.dirname(parent)) {
      if (all.has(parent)) {
        covered = true;
        break;
      }
    }
    if (!covered) out.push(excludePattern(p));
  }
  return out;
}

/**
 * A backup into a repository: the walk records the manifest (hashes from the cache, changed files read once) and
 * what restic must leave out, database snapshots go into the meta dir, then one `restic backup` reads the source
 * trees and the meta dir itself. Nothing keeps a copy of the state; the meta dir keeps only the manifest lists.
 */
export async function writeSnapshot(options: SnapshotWriteOptions, content: BackupContent): Promise<WrittenBackup> {
  const { cache, repo } = options;
  const lock = await acquireStateLock(cache.dir, {
    command: 'openclaw-backup repository backup',
    name: META_LOCK,
    waitMs: 10 * 60_000,
    signal: content.signal,
  });
  const excludeFile = path.join(cache.dir, `excludes-${process.pid}.txt`);
  let hashes: HashCache | undefined;
  let committed = false;
  try {
    // A killed run's staged files are dropped; the lists are kept (they are the previous snapshot's, unchanged).
    await fs.rm(cache.files, { recursive: true, force: true });
    for (const dir of [cache.meta, cache.entries, cache.files]) await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const { header } = content;
    await writeIfChanged(path.join(cache.meta, 'header.json'), `${JSON.stringify(header, null, 2)}\n`);
    hashes = HashCache.open(cache.hashes, BigInt(Date.now()) * 1_000_000n);
    const lists = new EntryListWriter(cache.entries, new Set(header.roots.map((root) => root.archivePath)));
    const warn = (message: string) => {
      lists.warnings.push(message);
      content.onWarning(message);
    };
    const sink = new ResticSink({
      manifest: lists,
      cache: hashes,
      snapshots: content.snapshots,
      stagingDir: content.stagingDir,
      filesDir: cache.files,
      sparseFiles: content.sparseFiles,
      warn,
    });
    let phaseStart = Date.now();
    content.progress?.start('backup', content.totals);
    const counted = await archiveEntries({
      sources: content.sources,
      selection: content.selection,
      sink,
      manifest: lists,
      excludeAbs: content.excludeAbs,
      signal: content.signal,
      onWarning: content.onWarning,
      followKey: content.followKey,
      onProgress: content.progress && ((p) => content.progress?.update({ items: p.files, bytes: p.bytes })),
    }).finally(() => content.progress?.finish());
    content.assertNotEmpty(counted);
    await lists.finish();
    const manifest: Omit<Manifest, 'entries'> & { entryLists: string } = {
      ...header,
      completedAt: content.now().toISOString(),
      entryLists: 'entries',
      totals: lists.totals,
      externalSymlinks: lists.externalSymlinks,
      warnings: lists.warnings,
    };
    await writeIfChanged(path.join(cache.meta, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const excludes = collapseExcludes(sink.excluded);
    await fs.writeFile(excludeFile, `${excludes.join('\n')}\n`, { mode: 0o600 });
    content.debug(
      {
        hashed: hashes.misses,
        fromCache: hashes.hits,
        listsRewritten: lists.changedLists,
        excluded: excludes.length,
        ms: Date.now() - phaseStart,
      },
      'walked and hashed the sources for the repository',
    );
    phaseStart = Date.now();
    const trees = content.sources.filter((s) => lists.rootsSeen.has(s.root.archivePath)).map((s) => s.root.path);
    content.progress?.start('repository', { items: lists.totals.files, bytes: lists.totals.bytes });
    const summary = await runResticBackup(repo, {
      paths: [...trees, cache.meta],
      excludeFile,
      tags: options.tags(content, lists.totals.bytes),
      host: options.host,
      time: new Date(header.createdAt),
      parent: await options.parent(),
      signal: content.signal,
      onStatus: (status) => content.progress?.update({ items: status.filesDone, bytes: status.bytesDone }),
    }).finally(() => content.progress?.finish());
    for (const line of summary.readErrors) warn(`restic: ${line}`);
    content.debug(
      {
        filesNew: summary.filesNew,
        filesChanged: summary.filesChanged,
        filesUnmodified: summary.filesUnmodified,
        dataAdded: summary.dataAdded,
        ms: Date.now() - phaseStart,
      },
      'restic backup done',
    );
    hashes.close(true);
    committed = true;
    const { id: full, paths } = await listedSnapshot(repo, summary.snapshotId);
    options.made({ id: full, paths });
    return {
      stored: {
        archive: full.slice(0, 8),
        createdAt: header.createdAt,
        bytes: lists.totals.bytes,
        components: content.components,
        encrypted: false,
        profile: options.profile,
        recognisedBy: 'tags',
        snapshot: full,
        repository: repo.location,
      },
      bytes: summary.dataAdded,
      sha256: null,
      counted,
      totals: lists.totals,
      fresh: sink.readThisRun,
    };
  } finally {
    if (!committed) {
      try {
        hashes?.close(false);
      } catch {
        // the run's error is what matters
      }
    }
    await fs.rm(cache.files, { recursive: true, force: true }).catch(() => {});
    await fs.rm(excludeFile, { force: true }).catch(() => {});
    await lock.release();
  }
}

/** The snapshot restic just made, by the short id its backup summary gives: its full id and its paths. */
async function listedSnapshot(repo: ResticRepository, short: string): Promise<{ id: string; paths: string[] }> {
  // The snapshot is made: it is looked up even when a stop was asked for meanwhile (bounded by the deadline).
  const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', short], { signal: undefined }))[0] as
    { id?: string; paths?: string[] }[] | undefined;
  const snapshot = listed?.find((s) => s.id?.startsWith(short));
  if (!snapshot?.id) throw new BackupError('failure', `restic made snapshot ${short} on ${repo.location} but does not list it`);
  return { id: snapshot.id, paths: snapshot.paths ?? [] };
}
