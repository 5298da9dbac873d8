import { formatCommand, type CommandRunner, type RunResult } from '../core/run-command.js';
import type { PlannedCommand, ServicePlan } from './plan.js';

export interface CommandOutcome {
  command: string;
  code: number | null;
  ok: boolean;
  /** Last line of stderr, for the report. */
  detail: string;
}

export interface ExecuteResult {
  outcomes: CommandOutcome[];
  /** Set when the service manager cannot be used here (absent binary, no user bus): nothing after it ran. */
  unavailable?: string;
  /** Commands not run (because the manager is unavailable), to paste later. */
  pending: string[];
  failed: boolean;
}

const NO_MANAGER =
  /Failed to connect to (the )?bus|Failed to connect to user scope bus|not been booted with systemd|System has not been booted|XDG_RUNTIME_DIR|Could not find domain|Bootstrap failed: 125|Operation not permitted while System Integrity/i;

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1) ?? '';
}

/** Why the manager is unusable, or undefined when this result is an ordinary success/failure. */
export function describeUnavailable(plan: Pick<ServicePlan, 'manager'>, result: RunResult): string | undefined {
  const tool = plan.manager === 'launchd' ? 'launchctl' : 'systemctl --user';
  if (result.missing) return `${tool} is not available here (${plan.manager === 'launchd' ? 'launchctl' : 'systemctl'} not found on PATH)`;
  if (result.code !== 0 && NO_MANAGER.test(`${result.stderr}\n${result.stdout}`)) {
    return `${tool} is not usable here (${lastLine(result.stderr || result.stdout)})`;
  }
  return undefined;
}

/** Runs the plan's commands in order; stops at the first unexpected failure or when the manager is unusable. */
export async function executeCommands(
  plan: Pick<ServicePlan, 'manager'>,
  commands: PlannedCommand[],
  run: CommandRunner,
): Promise<ExecuteResult> {
  const outcomes: CommandOutcome[] = [];
  for (const [index, command] of commands.entries()) {
    const result = await run(command.file, command.args);
    const unavailable = describeUnavailable(plan, result);
    if (unavailable) {
      return { outcomes, unavailable, pending: commands.slice(index).map((c) => formatCommand(c.file, c.args)), failed: false };
    }
    const ok = result.code === 0;
    outcomes.push({
      command: formatCommand(command.file, command.args),
      code: result.code,
      ok,
      detail: ok ? '' : lastLine(result.stderr || result.stdout),
    });
    if (!ok && !command.mayFail)
      return { outcomes, pending: commands.slice(index + 1).map((c) => formatCommand(c.file, c.args)), failed: true };
  }
  return { outcomes, pending: [], failed: false };
}
