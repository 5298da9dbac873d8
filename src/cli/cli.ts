import { CommanderError } from 'commander';
import { escapeControl } from '../core/format.js';
import { EXIT_CODES, exitCodeFor, isBackupError } from '../errors.js';
import type { CommandIO } from './context.js';
import { buildProgram } from './program.js';

/**
 * Commands that, once SIGTERM/SIGINT asked them to stop, exit 130 within seconds even when blocked in a system call
 * that the abort cannot reach (an archive that is a FIFO, a stalled disk): they have nothing half-done worth waiting
 * for that the next run does not clean up. The daemon and run are left to finish their own orderly stop (hooks).
 */
const FORCED_STOP = new Set(['restore', 'verify', 'list']);
const FORCED_STOP_MS = 5_000;
let activeCommand: string | undefined;

/** Runs the CLI and returns the exit code. The only place errors become exit codes. */
export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const program = await buildProgram(io, argv.slice(2));
  program.hook('preAction', (_program, command) => {
    activeCommand = command.name();
  });
  try {
    await program.parseAsync(argv);
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT_CODES.ok;
      return EXIT_CODES.usage;
    }
    if (isBackupError(error)) {
      io.stderr.write(`openclaw-backup: ${escapeControl(error.message)}\n`);
      return exitCodeFor(error.kind);
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`openclaw-backup: unexpected error: ${escapeControl(message)}\n`);
    if (io.env.OPENCLAW_BACKUP_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_CODES.failure;
  }
}

function installSignals(controller: AbortController): void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) process.exit(EXIT_CODES.interrupted);
    process.stderr.write(`\nopenclaw-backup: ${signal} received, stopping…\n`);
    controller.abort(new Error(signal));
    if (activeCommand && FORCED_STOP.has(activeCommand)) setTimeout(() => process.exit(EXIT_CODES.interrupted), FORCED_STOP_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * A reader that goes away early (`openclaw-backup list | head -1`) closes the pipe: writes then fail with EPIPE.
 * Like git and restic, stop writing quietly and let the command finish, instead of dying on an unhandled error.
 */
export function ignoreBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

/** The process's CLI (see main.ts, which checks the Node version first): real streams and signals. */
export async function main(): Promise<number> {
  ignoreBrokenPipe(process.stdout);
  ignoreBrokenPipe(process.stderr);
  const controller = new AbortController();
  installSignals(controller);
  const io: CommandIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  };
  return runCli(process.argv, io);
}
