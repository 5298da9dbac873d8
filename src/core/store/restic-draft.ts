import path from 'node:path';
import { BackupError, isBackupError } from '../../errors.js';
import type { Component } from '../components.js';
import { acquireStateLock } from '../lock.js';
import { cleanMirror, MirrorWriter } from './restic-mirror.js';
import type { ResticRepository } from './restic-repository.js';
import { parseJsonLines, runRestic, spawnRestic } from './restic-run.js';
import { bytesTag, componentsTag, scopeTags, type SnapshotScope } from './restic-snapshots.js';
import type { BackupDraft } from './types.js';

/** restic's `--json` status line while it reads the tree: what a progress display can show. */
export interface ResticStatus {
  bytesDone: number;
  totalBytes: number;
  secondsElapsed: number;
}

export interface SnapshotDraftOptions {
  scope: SnapshotScope;
  /** The kept staging tree (see MirrorWriter). */
  mirrorDir: string;
  createdAt: Date;
  components: Component[];
  signal?: AbortSignal | undefined;
  onStatus?: ((status: ResticStatus) => void) | undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
const MIRROR_LOCK = 'openclaw-backup-mirror.lock';

/** restic's --time format, in local time as restic reads it. */
function resticTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

interface BackupMessage {
  message_type?: string;
  bytes_done?: number;
  total_bytes?: number;
  seconds_elapsed?: number;
  snapshot_id?: string;
}

/** `restic backup <tree>`: one snapshot, tagged as ours, at the backup's own time and host. Returns the short id. */
async function backupTree(
  repo: ResticRepository,
  root: string,
  tags: string[],
  options: SnapshotDraftOptions,
  onChild: (kill: () => void) => void,
): Promise<string> {
  const args = [
    'backup',
    '--json',
    '--tag',
    tags.join(','),
    '--host',
    options.scope.hostname,
    '--time',
    resticTime(options.createdAt),
    root,
  ];
  let summary: BackupMessage | undefined;
  const backup = await spawnRestic(repo, args, {
    signal: options.signal,
    stdout: 'json',
    onJson: (value) => {
      const message = value as BackupMessage;
      if (message.message_type === 'summary') summary = message;
      else if (message.message_type === 'status')
        options.onStatus?.({
          bytesDone: message.bytes_done ?? 0,
          totalBytes: message.total_bytes ?? 0,
          secondsElapsed: message.seconds_elapsed ?? 0,
        });
    },
  });
  onChild(() => backup.stop());
  try {
    await backup.done;
  } catch (error) {
    // Stopped after restic had saved the snapshot: an interrupted run leaves no snapshot behind.
    if (summary?.snapshot_id && isBackupError(error) && error.kind === 'interrupted')
      await runRestic(repo, ['forget', summary.snapshot_id], { signal: undefined, lockWaitMs: 0 }).catch(() => {});
    throw error;
  }
  if (!summary?.snapshot_id) throw new BackupError('failure', `restic backup on repository ${repo.location} reported no snapshot id`);
  return summary.snapshot_id;
}

/**
 * Starts a backup into the repository: the archive stream is unpacked into the kept staging tree, and only once it
 * is complete does `restic backup` make a snapshot of it, so a failed or killed run never leaves a snapshot of a
 * partial archive. The tree is held under a lock: two backups of this state never share it.
 */
export async function beginSnapshot(repo: ResticRepository, options: SnapshotDraftOptions): Promise<BackupDraft> {
  const lock = await acquireStateLock(path.dirname(options.mirrorDir), {
    command: 'openclaw-backup repository backup',
    name: MIRROR_LOCK,
    waitMs: 10 * 60_000,
    signal: options.signal,
  });
  let kill: (() => void) | undefined;
  let writer: MirrorWriter;
  try {
    await cleanMirror(options.mirrorDir);
    writer = new MirrorWriter(options.mirrorDir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  writer.done.catch(() => {});
  return {
    target: writer,
    async commit() {
      try {
        const { bytes } = await writer.done;
        const tags = [...scopeTags(options.scope), componentsTag(options.components), bytesTag(bytes)];
        const short = await backupTree(repo, writer.root, tags, options, (k) => (kill = k));
        const listed = parseJsonLines(await runRestic(repo, ['snapshots', '--json', short], { signal: undefined }))[0] as
          { id?: string; short_id?: string }[] | undefined;
        const full = listed?.find((s) => s.id?.startsWith(short));
        return { archive: full?.short_id ?? short, snapshot: full?.id ?? short, repository: repo.location, bytes };
      } finally {
        await lock.release();
      }
    },
    async abort() {
      writer.destroy();
      kill?.();
      await writer.done.catch(() => {});
      await lock.release().catch(() => {});
    },
  };
}
