import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { BackupError } from '../../errors.js';
import type { ExecuteResult } from '../../service/execute.js';
import { installService, type InstallResult } from '../../service/install.js';
import { initSystemFor } from '../../core/service-names.js';
import type { PlanContext } from '../../service/plan.js';
import { createCommandRunner, formatCommand } from '../../core/run-command.js';
import { readServiceStatus } from '../../service/status.js';
import { resolveServiceTarget, serviceHome } from '../../service/target.js';
import { uninstallService } from '../../service/uninstall.js';
import { installTimer, uninstallTimer, type TimerInstallResult, type TimerUninstallResult } from '../../service/install-timer.js';
import { sandboxPathsFor } from '../../service/sandbox-paths.js';
import type { StatePaths } from '../../config/paths.js';
import type { LoadedConfig } from '../../config/load.js';
import { findPluginInstall } from '../../config/plugin-install.js';
import { formatServiceStatus } from '../../output/service-status.js';
import { loadContext, printJson, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

const CLI_ENTRY = fileURLToPath(new URL('../main.js', import.meta.url));
/** This package's root (dist/cli/commands → ../../..): what `openclaw plugins install` is given. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/** The way in on OpenClaw's side: the plugin makes OpenClaw check the block and show our status. */
async function reportPlugin(io: CommandIO, paths: StatePaths, config: LoadedConfig): Promise<void> {
  const install = await findPluginInstall(paths.stateDir, config.openclaw, paths.home);
  if (install) {
    io.stdout.write(
      `OpenClaw plugin: ${install.kind === 'link' ? 'linked to' : 'copied to'} ${install.root}${install.version ? ` (version ${install.version})` : ''}\n`,
    );
    return;
  }
  io.stdout.write(
    `OpenClaw does not know the openclaw-backup plugin yet; install it so OpenClaw checks the backup block, skips our archives in its own backups and answers \`openclaw backups status\`:\n` +
      `  openclaw plugins install ${PACKAGE_ROOT} --force --accept-capabilities\n` +
      `  (add --link to follow this CLI's updates), then restart the gateway\n`,
  );
}

function planContext(io: CommandIO): PlanContext {
  return { manager: initSystemFor(process.platform), env: io.env, home: serviceHome(io.env), uid: process.getuid?.() ?? 0 };
}

function reportExecution(io: CommandIO, execution: ExecuteResult | undefined, what: string): void {
  if (!execution) return;
  for (const outcome of execution.outcomes) {
    io.stdout.write(
      outcome.ok
        ? `Ran: ${outcome.command}\n`
        : `Failed (exit ${outcome.code}): ${outcome.command}${outcome.detail ? `: ${outcome.detail}` : ''}\n`,
    );
  }
  if (execution.unavailable) {
    io.stdout.write(
      `${execution.unavailable}. The service is not ${what}; run these where it is:\n${execution.pending.map((c) => `  ${c}\n`).join('')}`,
    );
  }
  if (execution.failed) {
    const last = execution.outcomes.at(-1);
    throw new BackupError('failure', `${last?.command ?? 'service command'} failed${last?.detail ? `: ${last.detail}` : ''}`);
  }
}

function reportInstall(io: CommandIO, result: InstallResult): void {
  const { plan } = result;
  if (result.dryRun) {
    io.stdout.write(
      `Would write ${plan.file}:\n\n${plan.content}\nWould run:\n${plan.commands.map((c) => `  ${formatCommand(c.file, c.args)}\n`).join('')}`,
    );
    return;
  }
  io.stdout.write(`${result.replaced ? 'Replaced' : 'Wrote'} ${plan.file}\n`);
  reportExecution(io, result.execution, 'started');
  if (result.linger?.enabled === false) {
    io.stdout.write(
      `Lingering is off: the daemon stops when you log out and starts only at your next login. Turn it on:\n  ${result.linger.enableCommand}\n`,
    );
  } else if (result.linger && result.linger.enabled === undefined) {
    io.stdout.write(
      `Could not tell whether lingering is on (loginctl gave no answer); without it the daemon stops when you log out. To be sure:\n  ${result.linger.enableCommand}\n`,
    );
  }
}

function reportTimerInstall(io: CommandIO, result: TimerInstallResult, schedule: string): void {
  const { plan } = result;
  if (result.dryRun) {
    for (const file of plan.files) io.stdout.write(`Would write ${file.file}:\n\n${file.content}\n`);
    io.stdout.write(`Would run:\n${plan.commands.map((c) => `  ${formatCommand(c.file, c.args)}\n`).join('')}`);
    return;
  }
  for (const file of plan.files) io.stdout.write(`${result.replaced ? 'Replaced' : 'Wrote'} ${file.file}\n`);
  io.stdout.write(
    `Runs openclaw-backup run on backup.schedule "${schedule}"; after changing the schedule, run service install --timer again\n`,
  );
  reportExecution(io, result.execution, 'started');
  if (result.linger?.enabled === false) {
    io.stdout.write(`Lingering is off: the timer runs only while you are logged in. Turn it on:\n  ${result.linger.enableCommand}\n`);
  }
}

function reportTimerUninstall(io: CommandIO, result: TimerUninstallResult): void {
  if (result.dryRun) {
    io.stdout.write(
      `Would run:\n${result.commands.map((c) => `  ${c}\n`).join('')}${result.files.map((f) => `Would remove ${f}\n`).join('')}`,
    );
    return;
  }
  for (const file of result.files) io.stdout.write(`Removed ${file}\n`);
  reportExecution(io, result.execution, 'stopped');
}

export function registerService(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const service = program.command('service').description('install the daemon as a user service (systemd on Linux, launchd on macOS)');
  service
    .command('install')
    .description('write the unit/plist with absolute Node and CLI paths, then enable and start it (use the global --profile for a profile)')
    .option('--dry-run', 'print the unit and the commands; write and run nothing')
    .option(
      '--timer',
      'instead of the daemon: a oneshot `run` service started by a systemd timer (launchd: StartCalendarInterval) on backup.schedule',
    )
    .action(async (flags: { dryRun?: boolean; timer?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const sandbox = sandboxPathsFor(paths, config, io.env);
      const { target, warnings } = resolveServiceTarget({
        paths,
        backupDir: config.backupDir,
        env: io.env,
        nodePath: process.execPath,
        cliPath: CLI_ENTRY,
        writablePaths: sandbox.writable,
        createDirs: sandbox.create,
        environment: sandbox.environment,
      });
      for (const warning of [...warnings, ...sandbox.warnings]) io.stderr.write(`warning: ${warning}\n`);
      if (flags.timer) {
        const schedule = { schedule: config.backup.schedule, timezone: config.backup.timezone };
        const timer = await installTimer({
          context: planContext(io),
          target,
          schedule,
          run: createCommandRunner(io.env),
          dryRun: flags.dryRun ?? false,
        });
        reportTimerInstall(io, timer, schedule.schedule);
        if (config.backup.auto)
          io.stdout.write(`Note: backup.auto is true: a daemon serving this state dir would back up too; the timer needs no auto\n`);
        if (!timer.dryRun) await reportPlugin(io, paths, config);
        return;
      }
      const result = await installService({
        context: planContext(io),
        target,
        run: createCommandRunner(io.env),
        dryRun: flags.dryRun ?? false,
      });
      reportInstall(io, result);
      if (!result.dryRun) await reportPlugin(io, paths, config);
    });
  service
    .command('uninstall')
    .description('stop and disable the service (and the --timer units) and remove the files that install wrote (nothing else)')
    .option('--dry-run', 'print what would be removed and run; change nothing')
    .option('--timer', 'remove only the --timer units, leave the daemon service')
    .action(async (flags: { dryRun?: boolean; timer?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      const options = { context: planContext(io), profile: paths.profile, run: createCommandRunner(io.env), dryRun: flags.dryRun ?? false };
      const timer = await uninstallTimer(options);
      if (timer.installed) reportTimerUninstall(io, timer);
      if (flags.timer) {
        if (!timer.installed) io.stdout.write(`Not installed: no ${timer.name} written by service install --timer; nothing to do\n`);
        return;
      }
      const result = await uninstallService(options);
      if (!result.installed) {
        if (!timer.installed) io.stdout.write(`Not installed: ${result.file} does not exist; nothing to do\n`);
        return;
      }
      if (result.dryRun) {
        io.stdout.write(
          `Would run:\n${result.commands.map((c) => `  ${formatCommand(c.file, c.args)}\n`).join('')}Would remove ${result.file}\n`,
        );
        return;
      }
      io.stdout.write(`Removed ${result.file}\n`);
      reportExecution(io, result.execution, 'stopped');
    });
  service
    .command('status')
    .description('is the service installed, enabled and running, and when was the last backup')
    .option('--json', 'print one JSON object')
    .action(async (flags: { json?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      const status = await readServiceStatus({
        context: planContext(io),
        profile: paths.profile,
        stateDir: paths.stateDir,
        run: createCommandRunner(io.env),
      });
      if (flags.json) printJson(io, status);
      else io.stdout.write(formatServiceStatus(status, new Date()));
    });
}
