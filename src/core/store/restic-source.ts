import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { type BackupError, IntegrityError } from '../../errors.js';
import type { ArchiveSource } from '../archive/source.js';
import type { ResticRepository } from './restic-repository.js';
import { spawnRestic } from './restic-run.js';
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
export function dumpSource(repo: ResticRepository, target: DumpTarget, signal: AbortSignal | undefined): ArchiveSource {
  const label = snapshotLabel(repo, target.shortId);
  const explain = (error: BackupError, withLabel: boolean): BackupError => {
    if (error.kind !== 'integrity') return error;
    const reason = `restic could not read the snapshot's data: ${error.message.replace(/^repository \S+: restic dump: /, '')}`;
    return new IntegrityError(withLabel ? `${label}: ${reason}` : reason);
  };
  return {
    label,
    async open(): Promise<{ stream: Readable; size: number | undefined }> {
      // The process stops restic when the reader goes away early, and removes the lock a dump cut short leaves.
      const dump = await spawnRestic(repo, ['dump', target.id, target.tree], { signal, stdout: 'stream' });
      const out = new PassThrough({ highWaterMark: 1024 * 1024 });
      dump.stdout.pipe(out, { end: false });
      out.on('close', () => dump.stop());
      const failed = dump.done.then(
        () => undefined,
        (error: BackupError) => error,
      );
      const early = await Promise.race([
        once(dump.stdout, 'data').then(
          () => undefined,
          () => undefined,
        ),
        failed,
      ]);
      if (early) {
        out.destroy();
        throw explain(early, true);
      }
      void failed.then((failure) => {
        if (!failure) out.end();
        else if (!out.destroyed) out.destroy(explain(failure, false));
      });
      return { stream: reshapeTreeTar(out, target.tree), size: target.bytes };
    },
  };
}
