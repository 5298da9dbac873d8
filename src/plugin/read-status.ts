import { execFile } from 'node:child_process';
import { OUR_CLI } from './our-cli.js';

/** Long enough for a status that lists a restic repository; a hung child is killed, the caller gets an error. */
export const STATUS_TIMEOUT_MS = 60_000;

export class StatusReadError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/** The last line our CLI wrote to stderr: its one-line error (`error: …`). */
function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^error:\s*/, '') ?? ''
  );
}

/** `openclaw-backup status --json` in a child process: the gateway never loads our core or touches the archives. */
export function readStatus(stateArgs: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [OUR_CLI, ...stateArgs, 'status', '--json'],
      { env, timeout: STATUS_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          const why = error.killed ? `timed out after ${STATUS_TIMEOUT_MS / 1000} s` : lastLine(stderr) || error.message;
          reject(new StatusReadError(`openclaw-backup status failed: ${why}`, code));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new StatusReadError('openclaw-backup status printed no JSON', null));
        }
      },
    );
  });
}

/** Callers arriving while a read runs share it: a busy dashboard starts one child process, not one per widget. */
export function coalesce<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () => {
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };
}
