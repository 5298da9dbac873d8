import { existsSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { statusCounters, watchStall, type StallWatch } from './restic-stall.js';

const SETPRIV = '/usr/bin/setpriv';
/** After SIGINT, restic gets this long to cancel and remove its lock before it is killed. */
export const STOP_GRACE_MS = 10_000;
/** What is kept of restic's stderr: its last lines say what went wrong; a million warnings must not fill memory. */
const STDERR_TAIL = 256 * 1024;

/** Why we stopped a child before it ended on its own. */
export type StopReason = 'aborted' | 'deadline' | 'stalled' | 'lock-denied' | 'caller';

export interface AttemptOptions {
  env: Record<string, string>;
  signal: AbortSignal | undefined;
  /** A deadline for the whole command. */
  timeoutMs?: number | undefined;
  /** Stops the command when nothing moves for this long. */
  stallMs?: number | undefined;
  /** 'buffer': stdout collected; 'lines': each line to onLine (JSON status counters are progress); 'stream': data. */
  stdout: 'buffer' | 'lines' | 'stream';
  onLine?: ((line: string) => void) | undefined;
  /** A stderr line that means the command cannot succeed here (a lock it cannot write): stop it at once. */
  isFatalLine?: ((line: string) => boolean) | undefined;
}

export interface AttemptResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  stopped: StopReason | undefined;
  /** The stderr line isFatalLine matched. */
  fatalLine: string | undefined;
  /** Bytes restic wrote to stdout: in 'stream' mode, whether the reader got anything. */
  stdoutBytes: number;
}

export interface Attempt {
  /** stdout in 'stream' mode. */
  readonly stdout: Readable | undefined;
  /** Settles when the child has exited and its pipes are drained; never rejects. */
  readonly result: Promise<AttemptResult>;
  /** SIGINT (restic cancels and removes its lock), SIGKILL after the grace. */
  stop(reason: StopReason): void;
}

/**
 * Starts one restic child, bounded: the abort signal, a deadline or a stall detector stop it with SIGINT, and on
 * Linux it runs under `setpriv --pdeathsig KILL`, so a kill -9 of ours never leaves restic working on alone (a
 * backup reading a half-written tree, a lock held by nobody).
 */
export async function startAttempt(argv: string[], options: AttemptOptions): Promise<Attempt> {
  // Loaded on first use: a command that never runs restic does not compile execa's hundred modules.
  const { execa } = await import('execa');
  const guard = process.platform === 'linux' && existsSync(SETPRIV);
  const child = execa(guard ? SETPRIV : 'restic', guard ? ['--pdeathsig', 'KILL', '--', 'restic', ...argv] : argv, {
    env: options.env,
    extendEnv: false,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    killSignal: 'SIGINT',
    forceKillAfterDelay: STOP_GRACE_MS,
  });
  let data: Transform | undefined;
  let stopped: StopReason | undefined;
  let fatalLine: string | undefined;
  const stop = (reason: StopReason) => {
    if (stopped || child.exitCode !== null) return;
    stopped = reason;
    child.kill('SIGINT');
    // A reader that went away: restic's next write fails instead of filling a pipe nobody reads.
    if (reason === 'caller') data?.destroy();
  };

  let stall: StallWatch | undefined;
  if (options.stallMs !== undefined)
    stall = watchStall({
      pid: child.pid,
      stallMs: options.stallMs,
      onStall: () => stop('stalled'),
      reportsProgress: options.stdout !== 'buffer',
    });
  const deadline = options.timeoutMs === undefined ? undefined : setTimeout(() => stop('deadline'), options.timeoutMs);
  const onAbort = () => stop('aborted');
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  let stderr = '';
  let pendingErr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stall?.output(Buffer.byteLength(text));
    stderr = (stderr + text).slice(-STDERR_TAIL);
    if (!options.isFatalLine) return;
    const lines = (pendingErr + text).split('\n');
    pendingErr = lines.pop() ?? '';
    for (const line of lines) {
      if (fatalLine === undefined && options.isFatalLine(line)) {
        fatalLine = line;
        stop('lock-denied');
      }
    }
  });

  let stdout = '';
  let stdoutBytes = 0;
  let pendingOut = '';
  let lastCounters: string | undefined;
  const onLine = (line: string) => {
    if (stall && line.startsWith('{"message_type":"status"')) {
      try {
        const counters = statusCounters(JSON.parse(line) as Record<string, unknown>);
        if (counters !== lastCounters) stall.progress();
        lastCounters = counters;
      } catch {
        // a status line restic cut short: the next one counts
      }
    }
    options.onLine?.(line);
  };
  if (options.stdout === 'stream') {
    // Data read by the caller is progress; a reader that goes away ends restic (its next write fails).
    data = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        stdoutBytes += chunk.length;
        stall?.progress();
        done(null, chunk);
      },
    });
    child.stdout.pipe(data);
    data.on('close', () => {
      if (!child.stdout.destroyed) child.stdout.destroy();
    });
  } else {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdoutBytes += Buffer.byteLength(text);
      stall?.output(Buffer.byteLength(text));
      if (options.stdout === 'buffer') {
        stdout += text;
        return;
      }
      const lines = (pendingOut + text).split('\n');
      pendingOut = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }

  const result = child.then((done) => {
    stall?.stop();
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onAbort);
    if (pendingOut) onLine(pendingOut);
    // A child that could not start (restic missing between the check and now) reads as a failure with its reason.
    const spawnError = done.exitCode === undefined && !stopped ? `${done.shortMessage ?? 'restic could not be started'}\n` : '';
    return {
      exitCode: done.exitCode,
      stdout,
      stderr: stderr + spawnError,
      stopped,
      fatalLine,
      stdoutBytes,
    } satisfies AttemptResult;
  });
  return { stdout: data, result, stop };
}
