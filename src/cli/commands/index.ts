import type { Command } from 'commander';
import type { CommandIO, GlobalOptions } from '../context.js';

type Register = (program: Command, io: CommandIO, globals: () => GlobalOptions) => void;

/**
 * Every command, in --help order, each loaded only when it is registered: a run of one command compiles its own
 * modules, not the other nineteen's (TypeBox for doctor, the dashboard's page, …).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  create: async () => (await import('./create.js')).registerCreate,
  verify: async () => (await import('./verify.js')).registerVerify,
  sessions: async () => (await import('./sessions.js')).registerSessions,
  config: async () => (await import('./config.js')).registerConfig,
  service: async () => (await import('./service.js')).registerService,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  restore: async () => (await import('./restore.js')).registerRestore,
  run: async () => (await import('./run.js')).registerRun,
  daemon: async () => (await import('./daemon.js')).registerDaemon,
  list: async () => (await import('./list.js')).registerList,
  prune: async () => (await import('./prune.js')).registerPrune,
  status: async () => (await import('./status.js')).registerStatus,
  ls: async () => (await import('./ls.js')).registerLs,
  find: async () => (await import('./find.js')).registerFind,
  diff: async () => (await import('./diff.js')).registerDiff,
  info: async () => (await import('./info.js')).registerInfo,
  repository: async () => (await import('./repository.js')).registerRepository,
  rollbacks: async () => (await import('./rollbacks.js')).registerRollbacks,
  dashboard: async () => (await import('./dashboard.js')).registerDashboard,
  'state-id': async () => (await import('./state-id.js')).registerStateId,
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/**
 * Registers the command named `only`, or every command when it names none of them (help, a typo, no command);
 * `only: null` registers none (--version needs no command).
 */
export async function registerCommands(program: Command, io: CommandIO, globals: () => GlobalOptions, only?: string | null): Promise<void> {
  if (only === null) return;
  const names = only !== undefined && only in COMMANDS ? [only] : COMMAND_NAMES;
  const registers = await Promise.all(names.map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, io, globals);
}

/**
 * The command an argv names: its first word that is neither an option nor the value of a global option that takes
 * one (`--state-dir /x verify a.tar` → verify). undefined when it names none before `--` or the end.
 */
export function commandNameOf(args: readonly string[], program: Command): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (arg.includes('=')) continue;
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option && (option.required || option.optional)) i += 1;
  }
  return undefined;
}

/** `openclaw-backup --version` (or -V) without a command or --help: commander answers it before a command could run. */
export function asksVersionOnly(args: readonly string[], program: Command): boolean {
  if (commandNameOf(args, program) !== undefined) return false;
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.some((arg) => arg === '-V' || arg === '--version') && !options.some((arg) => arg === '-h' || arg === '--help');
}
