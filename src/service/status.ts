import { isProcessAlive } from '../core/fs/atomic.js';
import { readStatus, type LastRun } from '../core/status-record.js';
import { describeUnavailable } from './execute.js';
import { isOurs, readServiceFile } from './install.js';
import { serviceFileFor, type PlanContext } from './plan.js';
import type { CommandRunner } from '../core/run-command.js';

export interface ServiceStatus {
  manager: PlanContext['manager'];
  name: string;
  file: string;
  installed: boolean;
  /** The file exists but `service install` did not write it (e.g. a copied shipped unit). */
  foreign: boolean;
  enabled: boolean | undefined;
  running: boolean | undefined;
  pid: number | undefined;
  /** Why enabled/running are unknown. */
  unavailable: string | undefined;
  daemon: { pid: number; startedAt: string; alive: boolean } | null;
  lastRun: LastRun | null;
  lastSuccess: LastRun | null;
  nextRunAt: string | null;
}

async function querySystemd(run: CommandRunner, name: string) {
  const show = await run('systemctl', ['--user', 'show', name, '--property=UnitFileState,ActiveState,MainPID']);
  const unavailable = describeUnavailable({ manager: 'systemd' }, show);
  if (unavailable || show.code !== 0)
    return { enabled: undefined, running: undefined, pid: undefined, unavailable: unavailable ?? show.stderr.trim() };
  const props = Object.fromEntries(show.stdout.split('\n').map((line) => line.split('=', 2) as [string, string]));
  const pid = Number(props.MainPID);
  return {
    enabled: props.UnitFileState === 'enabled' || props.UnitFileState === 'linked',
    running: props.ActiveState === 'active' || props.ActiveState === 'activating' || props.ActiveState === 'reloading',
    pid: pid > 0 ? pid : undefined,
    unavailable: undefined,
  };
}

async function queryLaunchd(run: CommandRunner, uid: number, label: string) {
  const print = await run('launchctl', ['print', `gui/${uid}/${label}`]);
  const unavailable = describeUnavailable({ manager: 'launchd' }, print);
  if (unavailable) return { enabled: undefined, running: undefined, pid: undefined, unavailable };
  if (print.code !== 0) return { enabled: false, running: false, pid: undefined, unavailable: undefined };
  const pid = Number(/^\s*pid = (\d+)/m.exec(print.stdout)?.[1]);
  return { enabled: true, running: /^\s*state = running/m.test(print.stdout), pid: pid > 0 ? pid : undefined, unavailable: undefined };
}

/** Installed? enabled? running? and the last backup, from the service manager and the status record. */
export async function readServiceStatus(options: {
  context: PlanContext;
  profile: string;
  stateDir: string;
  run: CommandRunner;
}): Promise<ServiceStatus> {
  const { context } = options;
  const { name, file } = serviceFileFor(context, options.profile);
  const content = await readServiceFile(file);
  const manager =
    context.manager === 'launchd' ? await queryLaunchd(options.run, context.uid, name) : await querySystemd(options.run, name);
  const { record } = await readStatus(options.stateDir);
  return {
    manager: context.manager,
    name,
    file,
    installed: content !== undefined,
    foreign: content !== undefined && !isOurs(content),
    ...manager,
    daemon: record.daemon ? { ...record.daemon, alive: isProcessAlive(record.daemon.pid) } : null,
    lastRun: record.lastRun,
    lastSuccess: record.lastSuccess,
    nextRunAt: record.nextRunAt,
  };
}
