import { BackupError, InterruptedError, isBackupError } from '../../errors.js';
import { describeResticFailure, resticMessages } from './restic-errors.js';
import type { ResticRepository } from './restic-repository.js';
import { runRestic, spawnRestic, type ResticExit } from './restic-run.js';

/** restic's `--json` status line while it reads the trees: what a progress display can show. */
export interface ResticStatus {
  bytesDone: number;
  totalBytes: number;
  filesDone: number;
  totalFiles: number;
  secondsElapsed: number;
}

export interface ResticBackupOptions {
  /** The trees (and the snapshot's meta dir) restic reads, absolute. */
  paths: string[];
  /** A file of restic exclude patterns (one escaped absolute path a line). */
  excludeFile: string;
  tags: string[];
  host: string;
  time: Date;
  /** The snapshot whose tree restic compares against to skip unchanged files (this state's newest). */
  parent?: string | undefined;
  signal?: AbortSignal | undefined;
  onStatus?: ((status: ResticStatus) => void) | undefined;
}

/** What `restic backup`'s summary says of the snapshot it made. */
export interface ResticBackupSummary {
  snapshotId: string;
  /** Bytes of new data restic added to the repository (before its compression). */
  dataAdded: number;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  totalBytesProcessed: number;
  /** restic's complaints about source files it could not read (exit 3: the snapshot was still made). */
  readErrors: string[];
}

interface BackupMessage {
  message_type?: string;
  bytes_done?: number;
  total_bytes?: number;
  files_done?: number;
  total_files?: number;
  seconds_elapsed?: number;
  snapshot_id?: string;
  data_added?: number;
  files_new?: number;
  files_changed?: number;
  files_unmodified?: number;
  total_bytes_processed?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** restic's --time format, in local time as restic reads it. */
function resticTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * One `restic backup` of the source trees and the meta dir: restic reads them itself, skips what the parent
 * snapshot already holds unchanged (by size, mtime, ctime and inode), and leaves out what the exclude file names.
 */
export async function runResticBackup(repo: ResticRepository, options: ResticBackupOptions): Promise<ResticBackupSummary> {
  const args = [
    'backup',
    '--json',
    '--tag',
    options.tags.join(','),
    '--host',
    options.host,
    '--time',
    resticTime(options.time),
    '--exclude-file',
    options.excludeFile,
    ...(options.parent ? ['--parent', options.parent] : []),
    '--',
    ...options.paths,
  ];
  let summary: BackupMessage | undefined;
  // The process is bounded: the signal stops restic with SIGINT (it removes its lock), a stall fails the run.
  const backup = await spawnRestic(repo, args, {
    signal: options.signal,
    stdout: 'json',
    // Exit 3: the snapshot was made, but some source files could not be read (restic says which on stderr).
    acceptExitCodes: [3],
    onJson: (value) => {
      const message = value as BackupMessage;
      if (message.message_type === 'summary') summary = message;
      else if (message.message_type === 'status')
        options.onStatus?.({
          bytesDone: message.bytes_done ?? 0,
          totalBytes: message.total_bytes ?? 0,
          filesDone: message.files_done ?? 0,
          totalFiles: message.total_files ?? 0,
          secondsElapsed: message.seconds_elapsed ?? 0,
        });
    },
  });
  let result: ResticExit;
  try {
    result = await backup.done;
  } catch (error) {
    // Stopped after restic had saved the snapshot: an interrupted run leaves no snapshot behind.
    if (summary?.snapshot_id && isBackupError(error) && error.kind === 'interrupted')
      await runRestic(repo, ['forget', summary.snapshot_id], { signal: undefined, lockWaitMs: 0 }).catch(() => {});
    if (isBackupError(error) && error.kind === 'interrupted') throw new InterruptedError('backup interrupted; no snapshot was made');
    throw error;
  }
  if (result.exitCode === 3 && !summary?.snapshot_id) throw describeResticFailure(repo, 'backup', result.exitCode, result.stderr);
  if (!summary?.snapshot_id) throw new BackupError('failure', `restic backup on repository ${repo.location} reported no snapshot id`);
  return {
    snapshotId: summary.snapshot_id,
    dataAdded: summary.data_added ?? 0,
    filesNew: summary.files_new ?? 0,
    filesChanged: summary.files_changed ?? 0,
    filesUnmodified: summary.files_unmodified ?? 0,
    totalBytesProcessed: summary.total_bytes_processed ?? 0,
    readErrors: result.exitCode === 3 ? resticMessages(result.stderr).filter((l) => /error/i.test(l)) : [],
  };
}

/** A path as a restic exclude pattern: glob characters escaped, `$` doubled, what a line cannot hold as `?`. */
export function excludePattern(abs: string): string {
  let out = abs.replace(/[\\*?[]/g, (c) => `\\${c}`).replace(/\$/g, '$$$$');
  // restic trims each line and reads it as one pattern: a newline, or space at either end, matches as any one char.
  out = out.replace(/[\n\r]/g, '?');
  out = out.replace(/^\s+/, (m) => '?'.repeat(m.length)).replace(/\s+$/, (m) => '?'.repeat(m.length));
  return out;
}
