import { Command, CommanderError, Option } from 'commander';
import { LOG_LEVELS } from '../output/logger.js';
import { toolVersion } from '../core/version.js';
import { asksVersionOnly, commandNameOf, registerCommands } from './commands/index.js';
import type { CommandIO, GlobalOptions } from './context.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { examplesHelp } from './examples.js';
import { recoverBeforeReading } from './recover-first.js';

/**
 * Builds the commander program. Actions throw typed errors; main.ts maps them to exit codes. Given the arguments
 * (after node and the script), only the command they name is loaded; without them, or when they name none, all are.
 */
export async function buildProgram(io: CommandIO, args?: readonly string[]): Promise<Command> {
  const program = new Command();
  program
    .name('openclaw-backup')
    .description('Backups for the OpenClaw Gateway: config, credentials, sessions, memory and workspace.')
    .version(toolVersion(), '-V, --version')
    .option('--state-dir <dir>', 'OpenClaw state dir (default: $OPENCLAW_STATE_DIR, --profile, or ~/.openclaw)')
    .option('--profile <name>', 'OpenClaw profile: ~/.openclaw-<name> (default: $OPENCLAW_PROFILE)')
    .option('--config <file>', 'openclaw.json path (default: $OPENCLAW_CONFIG_PATH or <stateDir>/openclaw.json)')
    .addOption(
      new Option('--log-level <level>', 'debug adds per-phase timings and decisions (default: $LOG_LEVEL, else info)').choices(LOG_LEVELS),
    )
    .enablePositionalOptions(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const only = args && (asksVersionOnly(args, program) ? null : commandNameOf(args, program));
  await registerCommands(program, io, globals, only);
  recoverBeforeReading(program, io, globals);
  // Every command's help ends with examples, then the exit codes (subcommands too).
  const finishHelp = (command: Command, prefix: string) => {
    command.exitOverride();
    const examples = examplesHelp(prefix);
    if (examples) command.addHelpText('after', examples);
    command.addHelpText('after', EXIT_CODES_HELP);
    for (const sub of command.commands) finishHelp(sub, prefix ? `${prefix} ${sub.name()}` : sub.name());
  };
  finishHelp(program, '');
  // A usage error is the error, commander's suggestion ("Did you mean --compress?") and one line pointing to
  // --help; the whole help would push the suggestion off the screen.
  const pointToHelp = (command: Command) => {
    command.showHelpAfterError(`Run "${commandPath(command)} --help" for usage.`);
    for (const sub of command.commands) pointToHelp(sub);
  };
  pointToHelp(program);
  return program;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export { CommanderError };
