import { poll } from './poll.js';
import { daemonLines, type DaemonLine, type JournalEntry, type UserSession } from './user-session.js';

export const DEFAULT_UNIT = 'openclaw-backup.service';

export interface ServingDaemon {
  pid: number;
  invocation: string;
  /** The journal entry of its `daemon ready` line. */
  ready: JournalEntry;
}

const STATE = ['ActiveState', 'SubState', 'Result', 'MainPID', 'InvocationID', 'NRestarts', 'ExecMainStatus', 'ExecMainCode'];

export async function unitState(user: UserSession, unit: string): Promise<Record<string, string>> {
  return user.show(unit, STATE);
}

/** Our daemon's JSON lines (its stdout in the journal) for a unit, this boot, optionally from one pid. */
export async function daemonJournal(user: UserSession, unit: string, pid?: number): Promise<DaemonLine[]> {
  const entries = (await user.journal([unit])).filter((e) => e.transport === 'stdout' && (pid === undefined || e.pid === pid));
  return daemonLines(entries);
}

/**
 * Waits until the unit is active with a main process other than `notPid` that has logged `daemon ready` (it holds the
 * daemon lock and has scheduled its runs), and is still the unit's main process. A unit that fails meanwhile ends the
 * wait at once, with systemd's account of why.
 */
export async function waitForServing(
  user: UserSession,
  unit: string,
  options: { notPid?: number; timeoutMs?: number } = {},
): Promise<ServingDaemon> {
  return poll(
    async () => {
      const state = await unitState(user, unit);
      if (state.ActiveState === 'failed')
        throw new Error(`${unit} failed (${state.Result}, status ${state.ExecMainStatus}):\n${await user.describeUnit(unit)}`);
      const pid = Number(state.MainPID);
      if (state.ActiveState !== 'active' || !(pid > 0) || pid === options.notPid) return undefined;
      const ready = (await user.journal([unit])).find(
        (e) => e.pid === pid && e.transport === 'stdout' && e.message.includes('"msg":"daemon ready"'),
      );
      if (!ready) return undefined;
      const again = await unitState(user, unit);
      return again.ActiveState === 'active' && Number(again.MainPID) === pid
        ? { pid, invocation: again.InvocationID ?? '', ready }
        : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 90_000,
      intervalMs: 300,
      explain: async () =>
        `${unit} has no serving daemon${options.notPid ? ` other than pid ${options.notPid}` : ''}:\n${await user.describeUnit(unit)}`,
    },
  );
}

/** The line that ends a cycle, whichever way it ended. */
export const CYCLE_END = new Set(['backup finished', 'backup failed', 'backup interrupted']);

/** Cycles a daemon's lines show started and ended. */
export function countCycles(lines: DaemonLine[]): { started: number; ended: number } {
  return { started: lines.filter((l) => l.msg === 'backup started').length, ended: lines.filter((l) => CYCLE_END.has(l.msg)).length };
}

/** Waits for the end of a cycle from a pid whose line passes `accept` (`result` is ok, failed or interrupted). */
export async function waitForBackup(
  user: UserSession,
  unit: string,
  pid: number,
  accept: (line: DaemonLine) => boolean,
  timeoutMs = 90_000,
): Promise<DaemonLine> {
  return poll(async () => (await daemonJournal(user, unit, pid)).find((line) => CYCLE_END.has(line.msg) && accept(line)), {
    timeoutMs,
    intervalMs: 300,
    explain: async () => `no matching end of a backup from pid ${pid}:\n${await user.describeUnit(unit)}`,
  });
}
