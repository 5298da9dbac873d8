import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI } from '../../helpers/fixture.js';
import type { ClawHome } from './openclaw.js';
import { waitFor } from './process.js';

export interface DaemonLine {
  level: number;
  msg: string;
  archive?: string;
  pauseMs?: number;
}

export interface RunningDaemon {
  pid: number;
  /** The pino JSON lines it has logged so far. */
  lines(): DaemonLine[];
  /** SIGTERM by PID; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts our `openclaw-backup daemon` for this home in the background and waits for "daemon ready". */
export async function startDaemon(h: ClawHome, timeoutMs = 60_000): Promise<RunningDaemon> {
  const logPath = path.join(h.tmp, '..', `daemon-${h.user}-${Date.now()}.log`);
  const out = fs.openSync(logPath, 'a');
  const profileArgs = h.profile ? ['--profile', h.profile] : [];
  const child = spawn(process.execPath, [CLI, ...profileArgs, 'daemon'], { env: h.env, cwd: h.home, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('openclaw-backup daemon did not start');
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
  const lines = (): DaemonLine[] =>
    fs
      .readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as DaemonLine);
  const stop = async (): Promise<number | null> => {
    if (exitCode === undefined) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    await waitFor(
      () => {
        if (exitCode !== undefined) throw new Error(`daemon exited ${exitCode}:\n${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
        return lines().some((l) => l.msg === 'daemon ready') ? true : undefined;
      },
      timeoutMs,
      () => `daemon not ready:\n${fs.readFileSync(logPath, 'utf8').slice(-2000)}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid, lines, stop };
}
