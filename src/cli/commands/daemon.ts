import type { Command } from 'commander';
import { runDaemon } from '../../daemon/daemon.js';
import { createJsonLogger } from '../../output/logger.js';
import { resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

export function registerDaemon(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('daemon')
    .description(
      'run in the foreground (under systemd or launchd): back up on backup.schedule when backup.auto is true, ' +
        'reload the config on change or SIGHUP, catch up one missed run at start; logs JSON lines to stdout',
    )
    .action(async () => {
      const paths = resolvePaths(globals(), io);
      await runDaemon({ paths, log: createJsonLogger(io.stdout), signal: io.signal, env: io.env });
    });
}
