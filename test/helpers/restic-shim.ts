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
    hung: () => (fs.existsSync(log) ? parseHungLog(fs.readFileSync(log, 'utf8')) : []),
  };
}

/**
 * The shim's log, line by line. The shell creates the file before it writes the line, so a reader can find it empty
 * or, in principle, half written: only a whole line names a PID (a PID of 0 read as "gone" once failed a test).
 */
export function parseHungLog(text: string): { pid: number; command: string }[] {
  return text
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      const match = /^(\d+) (\S+)$/.exec(line);
      return match ? [{ pid: Number(match[1]), command: match[2]! }] : [];
    });
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
