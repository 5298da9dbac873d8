import path from 'node:path';
import { backupRunLaunchdLabel, backupRunSystemdUnits, launchAgentsDir, systemdUserDir } from '../core/service-names.js';
import type { PlanContext, PlannedCommand } from './plan.js';
import type { ServiceTarget } from './service-spec.js';
import { renderLaunchdRunFor, renderRunServiceFor, renderTimerFor, type TimerSchedule } from './timer-spec.js';

export interface TimerPlan {
  manager: PlanContext['manager'];
  /** The timer unit, or the launchd label. */
  name: string;
  files: { file: string; content: string }[];
  directories: string[];
  commands: PlannedCommand[];
}

/** Where `service install --timer` writes: the .service and .timer (systemd) or one plist (launchd). */
export function timerFilesFor(context: PlanContext, profile: string): { name: string; files: string[] } {
  if (context.manager === 'launchd') {
    const label = backupRunLaunchdLabel(profile);
    return { name: label, files: [path.join(launchAgentsDir(context.home), `${label}.plist`)] };
  }
  const units = backupRunSystemdUnits(profile);
  const dir = systemdUserDir(context.env, context.home);
  return { name: units.timer, files: [path.join(dir, units.service), path.join(dir, units.timer)] };
}

/** The files and commands of a timer install; throws a UsageError when the schedule cannot be expressed. */
export function planTimerInstall(context: PlanContext, target: ServiceTarget, schedule: TimerSchedule, reinstall: boolean): TimerPlan {
  const { name, files } = timerFilesFor(context, target.profile);
  if (context.manager === 'launchd') {
    const domain = `gui/${context.uid}`;
    const file = files[0] as string;
    return {
      manager: 'launchd',
      name,
      files: [{ file, content: renderLaunchdRunFor(target, schedule) }],
      directories: [path.dirname(file), path.join(target.stateDir, 'logs')],
      commands: [
        ...(reinstall ? [{ file: 'launchctl', args: ['bootout', `${domain}/${name}`], mayFail: true }] : []),
        { file: 'launchctl', args: ['bootstrap', domain, file] },
        { file: 'launchctl', args: ['enable', `${domain}/${name}`] },
      ],
    };
  }
  const [serviceFile, timerFile] = files as [string, string];
  return {
    manager: 'systemd',
    name,
    files: [
      { file: serviceFile, content: renderRunServiceFor(target) },
      { file: timerFile, content: renderTimerFor(target, schedule) },
    ],
    directories: [path.dirname(timerFile)],
    commands: [
      { file: 'systemctl', args: ['--user', 'daemon-reload'] },
      { file: 'systemctl', args: ['--user', 'enable', '--now', name] },
      // A changed OnCalendar= takes effect on restart; enable --now leaves a running timer as it was.
      ...(reinstall ? [{ file: 'systemctl', args: ['--user', 'restart', name] }] : []),
    ],
  };
}

/** Stop the timer (and a run in progress), then the files go. */
export function planTimerUninstall(
  context: PlanContext,
  profile: string,
): { manager: PlanContext['manager']; name: string; files: string[]; commands: PlannedCommand[] } {
  const { name, files } = timerFilesFor(context, profile);
  if (context.manager === 'launchd')
    return {
      manager: 'launchd',
      name,
      files,
      commands: [{ file: 'launchctl', args: ['bootout', `gui/${context.uid}/${name}`], mayFail: true }],
    };
  return {
    manager: 'systemd',
    name,
    files,
    commands: [
      { file: 'systemctl', args: ['--user', 'disable', '--now', name], mayFail: true },
      { file: 'systemctl', args: ['--user', 'stop', backupRunSystemdUnits(profile).service], mayFail: true },
    ],
  };
}
