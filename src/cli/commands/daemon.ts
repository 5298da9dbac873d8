import type { Command } from 'commander';
import { requireStateDir } from '../../config/load.js';
import { runDaemon } from '../../daemon/daemon.js';
import { createJsonLogger } from '../../output/logger.js';
import { resolveLogLevel, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

export function registerDaemon(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('daemon')
    .description(
      'run in the foreground (under systemd or launchd): back up on backup.schedule when backup.auto is true, ' +
        'reload the config on change or SIGHUP, catch up one missed run at start; logs JSON lines to stdout',
    )
    .action(async () => {
      const paths = resolvePaths(globals(), io);
      const log = createJsonLogger(io.stdout, resolveLogLevel(globals(), io));
      // Before the daemon lock, which lives in the state dir: a missing one is a config error, as for create.
      await requireStateDir(paths.stateDir);
      await runDaemon({ paths, log, signal: io.signal, env: io.env });
    });
}
