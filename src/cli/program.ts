import { Command, CommanderError } from 'commander';
import { toolVersion } from '../core/version.js';
import { registerCommands } from './commands/index.js';
import type { CommandIO, GlobalOptions } from './context.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { recoverBeforeReading } from './recover-first.js';

/** Builds the commander program. Actions throw typed errors; main.ts maps them to exit codes. */
export function buildProgram(io: CommandIO): Command {
  const program = new Command();
  program
    .name('openclaw-backup')
    .description('Backups for the OpenClaw Gateway: config, credentials, sessions, memory and workspace.')
    .version(toolVersion(), '-V, --version')
    .option('--state-dir <dir>', 'OpenClaw state dir (default: $OPENCLAW_STATE_DIR, --profile, or ~/.openclaw)')
    .option('--profile <name>', 'OpenClaw profile: ~/.openclaw-<name> (default: $OPENCLAW_PROFILE)')
    .option('--config <file>', 'openclaw.json path (default: $OPENCLAW_CONFIG_PATH or <stateDir>/openclaw.json)')
    .showHelpAfterError()
    .enablePositionalOptions(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerCommands(program, io, globals);
  recoverBeforeReading(program, io, globals);
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.addHelpText('after', EXIT_CODES_HELP);
  }
  return program;
}

export { CommanderError };
