import fs from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { executeCommands, type ExecuteResult } from './execute.js';
import { isOurs, readServiceFile } from './install.js';
import { planUninstall, type PlanContext, type PlannedCommand } from './plan.js';
import { formatCommand, type CommandRunner } from '../core/run-command.js';

export interface UninstallResult {
  name: string;
  file: string;
  installed: boolean;
  removed: boolean;
  dryRun: boolean;
  commands: PlannedCommand[];
  execution: ExecuteResult | undefined;
}

/** Stops and disables the service, then removes the file — only a file `service install` wrote. */
export async function uninstallService(options: {
  context: PlanContext;
  profile: string;
  run: CommandRunner;
  dryRun: boolean;
}): Promise<UninstallResult> {
  const plan = planUninstall(options.context, options.profile);
  const content = await readServiceFile(plan.file);
  const reload: PlannedCommand[] = plan.manager === 'systemd' ? [{ file: 'systemctl', args: ['--user', 'daemon-reload'] }] : [];
  const commands = [...plan.commands, ...reload];
  const base = { name: plan.name, file: plan.file, commands, dryRun: options.dryRun };
  if (content === undefined) return { ...base, installed: false, removed: false, execution: undefined };
  if (!isOurs(content)) {
    throw new UsageError(
      `${plan.file} was not written by openclaw-backup service install; leaving it alone (remove it yourself if you copied it there)`,
    );
  }
  if (options.dryRun) return { ...base, installed: true, removed: false, execution: undefined };
  const stop = await executeCommands(plan, plan.commands, options.run);
  await fs.rm(plan.file, { force: true });
  const after = stop.unavailable ? undefined : await executeCommands(plan, reload, options.run);
  const execution: ExecuteResult = {
    outcomes: [...stop.outcomes, ...(after?.outcomes ?? [])],
    pending: stop.unavailable ? [...stop.pending, ...reload.map((c) => formatCommand(c.file, c.args))] : (after?.pending ?? []),
    failed: stop.failed || Boolean(after?.failed),
    ...(stop.unavailable ? { unavailable: stop.unavailable } : {}),
  };
  return { ...base, installed: true, removed: true, execution };
}
