import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { IntegrityError, isBackupError } from '../../errors.js';
import type { EntryNote, EntryStream, OpenEntriesOptions, SourceEntry } from '../reader/entry-stream.js';
import type { ArchiveSource } from '../reader/source.js';
import { isProcessAlive } from '../fs/atomic.js';
import { EntryListReader } from './entry-lists.js';
import { META_DIR_NAME } from './restic-cache.js';
import { legacyEntries } from './restic-legacy.js';
import type { ResticRepository } from './restic-repository.js';
import { onlyOwnershipErrors } from './restic-errors.js';
import { anySignal, parseJsonLines, runRestic } from './restic-run.js';
import { RestoredTree, snapshotEntries } from './snapshot-entries.js';

export interface SnapshotRef {
  /** Full snapshot id. */
  id: string;
  shortId: string;
  /** The snapshot's paths (its trees and our meta dir), as restic lists them; looked up when unknown. */
  paths: () => Promise<string[]>;
  /** What it holds (its content bytes), when known: what restore progress counts against. */
  bytes?: number | undefined;
}

export const snapshotLabel = (repo: ResticRepository, shortId: string): string => `snapshot ${shortId} in ${repo.location}`;

const SCRATCH_NAME = /^read-(\d+)-[0-9a-f]+$/;

/** A private dir for one read, below `root`; ones left by dead readers (their pid in the name) are removed first. */
async function makeScratch(root: string): Promise<string> {
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  for (const name of await fs.readdir(root).catch(() => [] as string[])) {
    const pid = Number(SCRATCH_NAME.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isProcessAlive(pid)) await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
  const dir = path.join(root, `read-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  return dir;
}

/** A path as a restic include pattern (argv: glob characters escaped, nothing else). */
const includePattern = (abs: string) => abs.replace(/[\\*?[]/g, (c) => `\\${c}`);

/**
 * What restic could not give back is said in one line with our exit code: damaged data is an IntegrityError naming
 * the snapshot (exit 3); an unreachable repository stays a failure (exit 1).
 */
function explain(error: unknown, label: string): unknown {
  if (isBackupError(error) && error.kind === 'integrity' && !error.message.startsWith(label))
    return new IntegrityError(
      `${label}: restic could not read the snapshot's data: ${error.message.replace(/^repository \S+: restic \S+: /, '')}`,
      {
        cause: error,
      },
    );
  return error;
}

/**
 * A repository snapshot as a backup to read: `restic restore` of what the reader needs into a private dir (the
 * caller's, e.g. restore's staging dir, or one below `scratchRoot`), then its entries in archive order from that
 * tree. restic decrypts and authenticates every blob; we check every file against the manifest as for an archive.
 */
export function snapshotSource(
  repo: ResticRepository,
  ref: SnapshotRef,
  scratchRoot: string,
  signal?: AbortSignal | undefined,
): ArchiveSource {
  const label = snapshotLabel(repo, ref.shortId);
  return {
    label,
    async openEntries(options: OpenEntriesOptions = {}): Promise<EntryStream> {
      const own = options.scratch
        ? path.join(options.scratch, `.restic-${randomBytes(4).toString('hex')}`)
        : await makeScratch(scratchRoot);
      if (options.scratch) await fs.mkdir(own, { mode: 0o700 });
      const tree = path.join(own, 'tree');
      const notes = new Map<string, EntryNote>();
      const close = () => fs.rm(own, { recursive: true, force: true });
      const restore = (includes: string[]) =>
        withRestoreProgress(own, options.onRead, () =>
          runRestic(repo, ['restore', ref.id, '--target', tree, ...includes.flatMap((p) => ['--include', includePattern(p)])], {
            signal: anySignal(options.signal, signal),
            acceptExit: onlyOwnershipErrors,
          }),
        );
      // restic runs when the reader starts reading, so a progress display already shows the phase it is in.
      async function* entries(): AsyncGenerator<SourceEntry> {
        const paths = await ref.paths();
        const meta = paths.find((p) => path.basename(p) === META_DIR_NAME);
        if (meta) {
          const docs = ['header.json', 'manifest.json', 'entries'].map((n) => path.join(meta, n));
          if (options.documentsOnly) await restore(docs);
          else if (options.select) {
            await restore(docs);
            const wanted = await selectedPaths(new RestoredTree({ tree, meta }), options.select);
            if (wanted.length > 0) await restore(wanted);
          } else await restore([]);
          yield* snapshotEntries(new RestoredTree({ tree, meta }), {
            select: options.select,
            documentsOnly: options.documentsOnly,
            notes,
            signal: options.signal,
          });
          return;
        }
        // A snapshot made before repository backups read the trees themselves: our archive layout as one tree.
        const legacy = paths.length === 1 ? paths[0] : undefined;
        if (!legacy) throw new IntegrityError(`${label}: not a backup of ours (no ${META_DIR_NAME} among its paths)`);
        await restore([]);
        yield* legacyEntries(new RestoredTree({ tree, meta: legacy }), { documentsOnly: options.documentsOnly, signal: options.signal });
      }
      return {
        compression: 'none',
        encrypted: false,
        size: ref.bytes,
        async storedBytes() {
          const stats = parseJsonLines(
            await runRestic(repo, ['stats', '--json', '--mode', 'raw-data', ref.id], {
              signal: anySignal(options.signal, signal),
            }),
          )[0] as { total_size?: number } | undefined;
          return stats?.total_size;
        },
        complete: () => true,
        sawGlobalHeader: () => false,
        notes,
        close,
        [Symbol.asyncIterator]: () => wrapErrors(entries(), label)[Symbol.asyncIterator](),
      };
    },
  };
}

/** Reports the bytes restic has restored so far (what the scratch filesystem lost in free space), once a second. */
async function withRestoreProgress<T>(dir: string, onRead: ((bytes: number) => void) | undefined, run: () => Promise<T>): Promise<T> {
  if (!onRead) return run();
  const free = async () => {
    const stat = await fs.statfs(dir);
    return stat.bavail * stat.bsize;
  };
  const start = await free();
  const timer = setInterval(() => {
    void free().then(
      (now) => onRead(Math.max(0, start - now)),
      () => {},
    );
  }, 1000);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

async function* wrapErrors(entries: AsyncIterable<SourceEntry>, label: string): AsyncGenerator<SourceEntry> {
  try {
    yield* entries;
  } catch (error) {
    throw explain(error, label);
  }
}

/** The snapshot paths restic must restore for the selected entries (read from the restored lists and header). */
async function selectedPaths(tree: RestoredTree, select: (name: string) => boolean): Promise<string[]> {
  const header = JSON.parse((await tree.readDocument('header.json')).toString('utf8')) as {
    roots?: { path?: unknown; archivePath?: unknown }[];
  };
  const roots = (header.roots ?? []).filter(
    (r): r is { path: string; archivePath: string } =>
      typeof r.path === 'string' && typeof r.archivePath === 'string' && path.isAbsolute(r.path),
  );
  const lists = new EntryListReader(tree.local(path.join(tree.restored.meta, 'entries')));
  const out: string[] = [];
  for await (const record of lists.entries()) {
    const name = record.path as string;
    if (record.type === 'directory' || !select(name)) continue;
    const staged = record.staged === true || (typeof record.sqlite === 'object' && record.sqlite !== null);
    if (staged) {
      out.push(path.join(tree.restored.meta, 'files', name));
      continue;
    }
    const root = roots
      .filter((r) => name === r.archivePath || name.startsWith(`${r.archivePath}/`))
      .sort((a, b) => b.archivePath.length - a.archivePath.length)[0];
    if (root) out.push(name === root.archivePath ? root.path : path.join(root.path, name.slice(root.archivePath.length + 1)));
  }
  return out;
}
