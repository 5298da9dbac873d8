import type { Command } from 'commander';
import { pinStatusWidget } from '../../core/openclaw/pin-status-widget.js';
import { createCommandRunner } from '../../core/run-command.js';
import { printJson, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

const GRANT_HINT: Record<string, string> = {
  granted: 'it reads the status now',
  pending: 'approve its access on the dashboard card (Allow) to show the status',
  rejected: "the session's permission mode rejected its access; allow it from the card or change the session's mode",
};

export function registerDashboard(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('dashboard')
    .description("pin the backup status (last run, next run, overdue, archives, last error) to a session's Control UI dashboard")
    .option('--session <key>', 'the session whose dashboard gets the widget', 'agent:main:main')
    .option('--json', 'print one JSON object')
    .action(async (flags: { session: string; json?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      const pinned = await pinStatusWidget(paths, flags.session, createCommandRunner(io.env));
      if (flags.json) printJson(io, pinned);
      else
        io.stdout.write(
          `Pinned "${pinned.widget}" to the dashboard of ${pinned.sessionKey} (access: ${pinned.grantState}; ${GRANT_HINT[pinned.grantState] ?? 'see the dashboard card'})\n`,
        );
    });
}
