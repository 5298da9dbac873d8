import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ResticShim {
  /** Put first on PATH: its `restic` runs the real one, or hangs. */
  binDir: string;
  /** While this file exists the listed subcommands hang; remove it and they run again. */
  flag: string;
  /** PIDs of the hanging restic processes so far (each wrote "<pid> <subcommand>" before it blocked). */
  hung(): { pid: number; command: string }[];
  /** PATH with the shim first. */
  path: string;
}

export interface ResticShimOptions {
  /** Subcommands that hang (unlock, snapshots, backup, dump, …). */
  hang: string[];
  /** Also ignore SIGINT while hanging, like a restic stuck in a system call: only SIGKILL ends it. */
  ignoreSigint?: boolean;
}

/**
 * A script named `restic` earlier in PATH: for the listed subcommands it blocks (with `exec sleep`, so the PID the
 * CLI started is the one that hangs, and it reads and writes nothing, as a restic stuck on a stalled backend); every
 * other call, and every call once the flag file is gone, is the real restic.
 */
export function installResticShim(dir: string, options: ResticShimOptions): ResticShim {
  const real = execFileSync('sh', ['-c', 'command -v restic'], { encoding: 'utf8' }).trim();
  const binDir = path.join(dir, 'shim-bin');
  const flag = path.join(dir, 'shim-hang');
  const log = path.join(dir, 'shim-hung.log');
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(flag, '');
  fs.writeFileSync(
    path.join(binDir, 'restic'),
    [
      '#!/bin/bash',
      'sub=""',
      'for a in "$@"; do case "$a" in -*) ;; *) sub="$a"; break ;; esac; done',
      `case " ${options.hang.join(' ')} " in`,
      `  *" $sub "*) if [ -e '${flag}' ]; then`,
      `    echo "$$ $sub" >> '${log}'`,
      ...(options.ignoreSigint ? ["    trap '' INT"] : []),
      '    exec sleep 100000',
      '  fi ;;',
      'esac',
      `exec '${real}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    binDir,
    flag,
    path: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    hung: () =>
      fs.existsSync(log)
        ? fs
            .readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => ({ pid: Number(line.split(' ')[0]), command: line.split(' ')[1] ?? '' }))
        : [],
  };
}

/** Whether a process is still there (a zombie counts as gone: it no longer runs). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}
