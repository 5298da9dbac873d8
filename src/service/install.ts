import fs from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { executeCommands, type ExecuteResult } from './execute.js';
import { checkLinger, type LingerState } from './linger.js';
import { planInstall, type PlanContext, type ServicePlan } from './plan.js';
import type { CommandRunner } from '../core/run-command.js';
import { GENERATED_MARKER, type ServiceTarget } from './service-spec.js';

export interface InstallOptions {
  context: PlanContext;
  target: ServiceTarget;
  run: CommandRunner;
  dryRun: boolean;
}

export interface InstallResult {
  plan: ServicePlan;
  dryRun: boolean;
  written: boolean;
  replaced: boolean;
  execution: ExecuteResult | undefined;
  linger: LingerState | undefined;
}

/** Reads a service file; undefined when absent. */
export async function readServiceFile(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function isOurs(content: string): boolean {
  return content.includes(GENERATED_MARKER);
}

/** Writes the unit/plist (never over a file we did not write), then enables and starts it. */
export async function installService(options: InstallOptions): Promise<InstallResult> {
  const { context, target, run } = options;
  const previous = await readServiceFile(planInstall(context, target, false).file);
  const plan = planInstall(context, target, previous !== undefined);
  if (previous !== undefined && !isOurs(previous)) {
    throw new UsageError(`${plan.file} exists and was not written by openclaw-backup; move it away, then run service install again`);
  }
  if (options.dryRun)
    return { plan, dryRun: true, written: false, replaced: previous !== undefined, execution: undefined, linger: undefined };
  for (const dir of plan.directories) await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  // systemd ignores a missing "-" ReadWritePaths= entry, and the sandbox would then refuse to create it: make it now (not its parents).
  await fs.mkdir(target.backupDir, { mode: 0o700 }).catch(() => {});
  for (const dir of target.createDirs ?? []) await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
  await writeFileAtomic(plan.file, plan.content, 0o644);
  const execution = await executeCommands(plan, plan.commands, run);
  const linger = context.manager === 'systemd' && !execution.unavailable ? await checkLinger(run, context.uid, context.env) : undefined;
  return { plan, dryRun: false, written: true, replaced: previous !== undefined, execution, linger };
}
