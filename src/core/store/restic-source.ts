import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BackupError, IntegrityError } from '../../errors.js';
import type { ArchiveSource, ByteSource } from '../archive/source.js';
import { openTarEntries } from '../archive/tar-entries.js';
import { describeResticFailure } from './restic-errors.js';
import type { ResticRepository } from './restic-repository.js';
import { runRestic, spawnRestic } from './restic-run.js';
import { reshapeTreeTar } from './restic-tree-tar.js';

export interface DumpTarget {
  /** Full snapshot id. */
  id: string;
  shortId: string;
  /** The staging tree's path inside the snapshot. */
  tree: string;
  bytes: number | undefined;
}

export const snapshotLabel = (repo: ResticRepository, shortId: string): string => `snapshot ${shortId} in ${repo.location}`;

/**
 * The archive a snapshot holds, streamed by `restic dump` of its tree and put back into our layout. restic decrypts and authenticates every blob it reads
 * and checks its hash, so a damaged pack makes the stream fail: the error is an IntegrityError naming the
 * snapshot (exit 3); an unreachable repository stays a failure (exit 1).
 */
export function dumpSource(repo: ResticRepository, target: DumpTarget): ArchiveSource {
  const label = snapshotLabel(repo, target.shortId);
  const explain = (error: BackupError, withLabel: boolean): BackupError => {
    if (error.kind !== 'integrity') return error;
    const reason = `restic could not read the snapshot's data: ${error.message.replace(/^repository \S+: restic dump: /, '')}`;
    return new IntegrityError(withLabel ? `${label}: ${reason}` : reason);
  };
  const bytes: ByteSource = {
    label,
    async open(): Promise<{ stream: Readable; size: number | undefined }> {
      const { child } = await spawnRestic(repo, ['dump', target.id, target.tree], { stdin: 'ignore', stdout: 'pipe' });
      const stdout = child.stdout as unknown as Readable;
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      stdout.pipe(out, { end: false });
      const firstData = once(stdout, 'data').then(
        () => true,
        () => true,
      );
      const done = Promise.all([child, finished(stdout).catch(() => {})]).then(([result]) => result);
      // A reader that stops early (a problem found, an abort) must not leave restic running.
      let stopped = false;
      out.on('close', () => {
        if (child.exitCode !== null) return;
        stopped = true;
        child.kill('SIGINT');
      });
      // A dump stopped mid-way can die on its closed pipe before it removes its lock: `restic unlock` removes only
      // a dead process's lock, so nobody else's exclusive command (check, prune) finds ours in the way.
      void done.then(() => (stopped ? runRestic(repo, ['unlock']).catch(() => {}) : undefined));
      const failureOf = (result: Awaited<typeof done>): BackupError | undefined =>
        result.exitCode === 0 ? undefined : describeResticFailure(repo, 'dump', result.exitCode, String(result.stderr ?? ''));
      const early = await Promise.race([firstData.then(() => undefined), done]);
      if (early) {
        const failure = failureOf(early);
        if (failure) {
          out.destroy();
          throw explain(failure, true);
        }
      }
      void done.then((result) => {
        const failure = failureOf(result);
        if (!failure) out.end();
        else if (!out.destroyed) out.destroy(explain(failure, false));
      });
      return { stream: reshapeTreeTar(out, target.tree), size: target.bytes };
    },
  };
  return { label, openEntries: (options = {}) => openTarEntries(bytes, options) };
}
