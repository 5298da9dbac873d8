import { ROOT_COMMAND, ROOT_COMMAND_DESCRIPTION } from '../config/plugin-identity.js';
import type { CliContext, PluginApi } from './openclaw-api.js';
import { stateDirArgs } from './our-cli.js';
import { runOurCli } from './run-cli.js';

/** Everything after `backups` on the command line, as typed: our CLI parses its own flags and prints its own help. */
export function argsAfterRoot(argv: readonly string[]): string[] {
  const at = argv.indexOf(ROOT_COMMAND, 2);
  return at < 0 ? [] : argv.slice(at + 1);
}

/** `openclaw backups <our command> …` → `openclaw-backup --state-dir <OpenClaw's state dir> <our command> …`. */
export function registerRootCommand(api: PluginApi): void {
  api.registerCli?.(
    ({ program }: CliContext) => {
      program
        .command(ROOT_COMMAND)
        .description(ROOT_COMMAND_DESCRIPTION)
        .argument('[args...]', 'an openclaw-backup command and its options, e.g. status, list, run, doctor')
        .allowUnknownOption(true)
        .helpOption(false)
        .action(async () => {
          process.exitCode = await runOurCli([...stateDirArgs(api), ...argsAfterRoot(process.argv)]);
        });
    },
    {
      descriptors: [
        {
          name: ROOT_COMMAND,
          description: ROOT_COMMAND_DESCRIPTION,
          hasSubcommands: true,
          machineOutput: ({ argv }) => argv.includes('--json'),
        },
      ],
    },
  );
}
