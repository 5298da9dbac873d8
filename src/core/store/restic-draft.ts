import readline from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { BackupError } from '../../errors.js';
import type { Component } from '../components.js';
import { describeResticFailure } from './restic-errors.js';
import type { ResticRepository } from './restic-repository.js';
import { parseJsonLines, runRestic, spawnRestic } from './restic-run.js';
import { componentsTag, scopeTags, type SnapshotScope } from './restic-snapshots.js';
import type { BackupDraft } from './types.js';

/** restic's `--json` status line while it reads the archive: what a progress display can show. */
export interface ResticStatus {
  bytesDone: number;
  secondsElapsed: number;
}

export interface SnapshotDraftOptions {
  scope: SnapshotScope;
  /** The archive's file name inside the snapshot (what `restic ls` and `dump` call it). */
  fileName: string;
  createdAt: Date;
  components: Component[];
  onStatus?: ((status: ResticStatus) => void) | undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** restic's --time format, in local time as restic reads it. */
function resticTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * Where the writer's chunks go: restic's stdin. A chunk is acknowledged only once restic's pipe took it (the writer
 * reuses pooled buffers after that). When restic dies mid-stream, the write fails with restic's own reason
 * (wrong password, unreachable, disk full in the repository) instead of a bare EPIPE.
 */
class ResticInput extends Writable {
  constructor(
    private readonly stdin: Writable,
    private readonly failure: () => Promise<BackupError | undefined>,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    stdin.on('error', () => {});
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.stdin.write(chunk, (error) => {
      if (!error) callback();
      else void this.failure().then((reason) => callback(reason ?? error));
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.stdin.end(() => callback());
  }
}

/**
 * Starts `restic backup --stdin`: the archive becomes one file in a new snapshot, tagged as ours with its profile
 * and components, at the backup's own time and host. Nothing exists until restic reads the end of the stream;
 * abort interrupts restic (SIGINT, so it removes its lock) before the stream ends, so no snapshot is saved.
 */
export async function beginSnapshot(repo: ResticRepository, options: SnapshotDraftOptions): Promise<BackupDraft> {
  const tags = [...scopeTags(options.scope), componentsTag(options.components)].join(',');
  const args = ['backup', '--stdin', '--stdin-filename', options.fileName, '--tag', tags, '--host', options.scope.hostname, '--time', resticTime(options.createdAt), '--json'];
  const { child } = await spawnRestic(repo, args, { stdin: 'pipe', stdout: 'pipe' });
  let summary: { snapshot_id?: string } | undefined;
  const lines = readline.createInterface({ input: child.stdout as unknown as Readable, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const [message] = parseJsonLines(line) as { message_type?: string; bytes_done?: number; seconds_elapsed?: number; snapshot_id?: string }[];
    if (message?.message_type === 'summary') summary = message;
    else if (message?.message_type === 'status') options.onStatus?.({ bytesDone: message.bytes_done ?? 0, secondsElapsed: message.seconds_elapsed ?? 0 });
  });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  const result = Promise.resolve(child).then(async (r) => {
    await closed;
    return r;
  });
  const failure = async (): Promise<BackupError | undefined> => {
    const r = await result;
    return r.exitCode === 0 ? undefined : describeResticFailure(repo, 'backup', r.exitCode, String(r.stderr ?? ''));
  };
  return {
    target: new ResticInput(child.stdin as unknown as Writable, failure),
    async commit() {
      const problem = await failure();
      if (problem) throw problem;
      const short = summary?.snapshot_id;
      if (!short) throw new BackupError('failure', `restic backup on repository ${repo.location} reported no snapshot id`);
      const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', short]))[0] as { id?: string; short_id?: string }[] | undefined;
      const full = listed?.find((s) => s.id?.startsWith(short));
      return { archive: full?.short_id ?? short, snapshot: full?.id ?? short, repository: repo.location };
    },
    async abort() {
      if (child.exitCode === null) child.kill('SIGINT');
      await result.catch(() => {});
    },
  };
}
