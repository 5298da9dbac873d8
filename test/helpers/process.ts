import { spawn, type ChildProcess } from 'node:child_process';

/** The one way tests run a subprocess: the CLI, the daemon, OpenClaw, a writer. */
export interface ProcessOptions {
  /** The whole environment the child sees. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** SIGKILL after this long (default 120 s); the result says `timedOut`. */
  timeoutMs?: number;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Output so far (for progress checks while it runs). */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its pipes are closed. */
  done: Promise<ProcessResult>;
}

/** Starts a process with piped output; `done` never rejects on a non-zero exit, only when it cannot be spawned. */
export function startProcess(command: string, args: string[], options: ProcessOptions): RunningProcess {
  const started = performance.now();
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  if (options.input !== undefined) child.stdin?.end(options.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  const done = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - started, timedOut });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessResult> {
  return startProcess(command, args, options).done;
}
