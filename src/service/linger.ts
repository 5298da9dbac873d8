import os from 'node:os';
import type { CommandRunner } from '../core/run-command.js';

export interface LingerState {
  enabled: boolean | undefined;
  /** The command that turns it on, when it is off. */
  enableCommand: string;
}

function userName(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? '$USER';
  }
}

/**
 * A user manager without lingering stops at logout, taking the daemon with it (OpenClaw warns the same for its
 * gateway). Unknown when loginctl is absent or cannot answer.
 */
export async function checkLinger(run: CommandRunner, uid: number, env: NodeJS.ProcessEnv): Promise<LingerState> {
  const enableCommand = `sudo loginctl enable-linger ${userName(env)}`;
  const result = await run('loginctl', ['show-user', String(uid), '--property=Linger', '--value']);
  if (/not logged in or lingering/i.test(result.stderr)) return { enabled: false, enableCommand };
  if (result.code !== 0) return { enabled: undefined, enableCommand };
  // `--value` prints "yes"/"no"; some systemd versions print "Linger=no" regardless.
  const value = result.stdout
    .trim()
    .replace(/^Linger=/, '')
    .toLowerCase();
  return { enabled: value === 'yes' ? true : value === 'no' ? false : undefined, enableCommand };
}
