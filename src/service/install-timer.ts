import fs from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { formatCommand, type CommandRunner } from '../core/run-command.js';
import { executeCommands, type ExecuteResult } from './execute.js';
import { isOurs, readServiceFile } from './install.js';
import { checkLinger, type LingerState } from './linger.js';
import type { PlanContext } from './plan.js';
import { planTimerInstall, planTimerUninstall, timerFilesFor, type TimerPlan } from './plan-timer.js';
import type { ServiceTarget } from './service-spec.js';
import type { TimerSchedule } from './timer-spec.js';

export interface TimerInstallResult {
  plan: TimerPlan;
  dryRun: boolean;
  replaced: boolean;
  execution: ExecuteResult | undefined;
  linger: LingerState | undefined;
}

async function readOurs(files: string[], what: string): Promise<boolean> {
  let present = false;
  for (const file of files) {
    const content = await readServiceFile(file);
    if (content === undefined) continue;
    if (!isOurs(content)) throw new UsageError(`${file} exists and was not written by openclaw-backup; ${what}`);
    present = true;
  }
  return present;
}

/** Writes the run service + timer (or the calendar plist), never over a file we did not write, then enables it. */
export async function installTimer(options: {
  context: PlanContext;
  target: ServiceTarget;
  schedule: TimerSchedule;
  run: CommandRunner;
  dryRun: boolean;
}): Promise<TimerInstallResult> {
  const { context } = options;
  const replaced = await readOurs(
    timerFilesFor(context, options.target.profile).files,
    'move it away, then run service install --timer again',
  );
  const plan = planTimerInstall(context, options.target, options.schedule, replaced);
  if (options.dryRun) return { plan, dryRun: true, replaced, execution: undefined, linger: undefined };
  for (const dir of plan.directories) await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  for (const dir of options.target.createDirs ?? []) await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
  for (const { file, content } of plan.files) await writeFileAtomic(file, content, 0o644);
  const execution = await executeCommands(plan, plan.commands, options.run);
  const linger =
    context.manager === 'systemd' && !execution.unavailable ? await checkLinger(options.run, context.uid, context.env) : undefined;
  return { plan, dryRun: false, replaced, execution, linger };
}

export interface TimerUninstallResult {
  name: string;
  files: string[];
  installed: boolean;
  dryRun: boolean;
  commands: string[];
  execution: ExecuteResult | undefined;
}

/** Stops and disables the timer, removes the files install wrote (only ours), then reloads the manager. */
export async function uninstallTimer(options: {
  context: PlanContext;
  profile: string;
  run: CommandRunner;
  dryRun: boolean;
}): Promise<TimerUninstallResult> {
  const plan = planTimerUninstall(options.context, options.profile);
  const installed = await readOurs(plan.files, 'leaving it alone (remove it yourself if you copied it there)');
  const reload = plan.manager === 'systemd' ? [{ file: 'systemctl', args: ['--user', 'daemon-reload'] }] : [];
  const existing: string[] = [];
  for (const file of plan.files) if ((await readServiceFile(file)) !== undefined) existing.push(file);
  const base = {
    name: plan.name,
    files: existing,
    installed,
    dryRun: options.dryRun,
    commands: [...plan.commands, ...reload].map((c) => formatCommand(c.file, c.args)),
  };
  if (!installed || options.dryRun) return { ...base, execution: undefined };
  const stop = await executeCommands(plan, plan.commands, options.run);
  for (const file of existing) await fs.rm(file, { force: true });
  const after = stop.unavailable ? undefined : await executeCommands(plan, reload, options.run);
  return {
    ...base,
    execution: {
      outcomes: [...stop.outcomes, ...(after?.outcomes ?? [])],
      pending: stop.unavailable ? [...stop.pending, ...reload.map((c) => formatCommand(c.file, c.args))] : (after?.pending ?? []),
      failed: stop.failed || Boolean(after?.failed),
      ...(stop.unavailable ? { unavailable: stop.unavailable } : {}),
    },
  };
}
