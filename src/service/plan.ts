import path from 'node:path';
import { backupLaunchdLabel, backupSystemdUnit, launchAgentsDir, systemdUserDir, type InitSystem } from '../core/service-names.js';
import { launchdLogPaths, renderLaunchdFor, renderSystemdFor, type ServiceTarget } from './service-spec.js';

export interface PlannedCommand {
  file: string;
  args: string[];
  /** A failure here is expected (e.g. booting out an agent that is not loaded). */
  mayFail?: boolean;
}

export interface ServicePlan {
  manager: InitSystem;
  /** systemd unit name or launchd label. */
  name: string;
  file: string;
  content: string;
  /** Directories to create before writing (launchd log dir). */
  directories: string[];
  commands: PlannedCommand[];
}

export interface PlanContext {
  manager: InitSystem;
  env: NodeJS.ProcessEnv;
  home: string;
  uid: number;
}

export function serviceFileFor(context: PlanContext, profile: string): { name: string; file: string } {
  if (context.manager === 'launchd') {
    const label = backupLaunchdLabel(profile);
    return { name: label, file: path.join(launchAgentsDir(context.home), `${label}.plist`) };
  }
  const unit = backupSystemdUnit(profile);
  return { name: unit, file: path.join(systemdUserDir(context.env, context.home), unit) };
}

export function planInstall(context: PlanContext, target: ServiceTarget, reinstall: boolean): ServicePlan {
  const { name, file } = serviceFileFor(context, target.profile);
  if (context.manager === 'launchd') {
    const domain = `gui/${context.uid}`;
    return {
      manager: 'launchd',
      name,
      file,
      content: renderLaunchdFor(target),
      directories: [path.dirname(file), path.dirname(launchdLogPaths(target.home, target.profile).stdout)],
      commands: [
        ...(reinstall ? [{ file: 'launchctl', args: ['bootout', `${domain}/${name}`], mayFail: true }] : []),
        { file: 'launchctl', args: ['bootstrap', domain, file] },
        { file: 'launchctl', args: ['enable', `${domain}/${name}`] },
      ],
    };
  }
  return {
    manager: 'systemd',
    name,
    file,
    content: renderSystemdFor(target),
    directories: [path.dirname(file)],
    commands: [
      { file: 'systemctl', args: ['--user', 'daemon-reload'] },
      { file: 'systemctl', args: ['--user', 'enable', '--now', name] },
      ...(reinstall ? [{ file: 'systemctl', args: ['--user', 'restart', name] }] : []),
    ],
  };
}

export function planUninstall(context: PlanContext, profile: string): Omit<ServicePlan, 'content' | 'directories'> {
  const { name, file } = serviceFileFor(context, profile);
  if (context.manager === 'launchd') {
    return {
      manager: 'launchd',
      name,
      file,
      commands: [{ file: 'launchctl', args: ['bootout', `gui/${context.uid}/${name}`], mayFail: true }],
    };
  }
  return {
    manager: 'systemd',
    name,
    file,
    commands: [{ file: 'systemctl', args: ['--user', 'disable', '--now', name], mayFail: true }],
  };
}
