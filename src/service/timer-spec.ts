import path from 'node:path';
import { backupRunLaunchdLabel, backupRunSystemdUnits, isDefaultProfile } from '../core/service-names.js';
import { parseSchedule } from './cron-calendar.js';
import { launchdCalendar, systemdCalendar, timerTiming } from './render-calendar.js';
import { renderLaunchdPlist, type LaunchdPlistSpec } from './render-launchd.js';
import { escapeSpecifiers, quoteSystemdArg, renderSystemdUnit } from './render-systemd.js';
import { renderSystemdTimer } from './render-timer.js';
import { daemonArgs, GENERATED_MARKER, launchdSpecFor, systemdSpecFor, type ServiceTarget } from './service-spec.js';

/** The schedule the timer takes over from the daemon. */
export interface TimerSchedule {
  schedule: string;
  timezone?: string | undefined;
}

/** `run --state-dir … [--profile …] [--config …]`: the daemon's arguments, one cycle instead of the daemon. */
export function runArgs(target: Pick<ServiceTarget, 'profile' | 'stateDir' | 'configPath'>): string[] {
  return ['run', ...daemonArgs(target).slice(1)];
}

const suffix = (profile: string) => (isDefaultProfile(profile) ? '' : ` (profile: ${profile})`);

/** The oneshot service the timer starts: the daemon unit's environment and sandbox, `run` instead of `daemon`. */
export function renderRunServiceFor(target: ServiceTarget): string {
  return renderSystemdUnit({
    ...systemdSpecFor(target),
    oneshot: true,
    description: escapeSpecifiers(`OpenClaw backup run${suffix(target.profile)}`),
    execStart: [target.nodePath, target.cliPath, ...runArgs(target)].map(quoteSystemdArg).join(' '),
  });
}

export function renderTimerFor(target: ServiceTarget, schedule: TimerSchedule): string {
  const spec = parseSchedule(schedule.schedule, schedule.timezone);
  const timing = timerTiming(schedule.schedule, schedule.timezone);
  return renderSystemdTimer({
    header: `${GENERATED_MARKER}\nFrom backup.schedule "${schedule.schedule}"${schedule.timezone ? ` in ${schedule.timezone}` : ''}; install again after changing it.`,
    description: escapeSpecifiers(`OpenClaw backup on schedule${suffix(target.profile)}`),
    onCalendar: systemdCalendar(spec, schedule.timezone).map(escapeSpecifiers),
    randomizedDelaySec: timing.randomizedDelaySec,
    accuracySec: timing.accuracySec,
    unit: backupRunSystemdUnits(target.profile).service,
  });
}

export function launchdRunSpecFor(target: ServiceTarget, schedule: TimerSchedule, systemZone?: string): LaunchdPlistSpec {
  const label = backupRunLaunchdLabel(target.profile);
  const logs = path.join(target.stateDir, 'logs', label);
  return {
    ...launchdSpecFor(target),
    label,
    comment: `${GENERATED_MARKER} From backup.schedule "${schedule.schedule}"${schedule.timezone ? ` in ${schedule.timezone}` : ''}; install again after changing it.`,
    programArguments: [target.nodePath, target.cliPath, ...runArgs(target)],
    stdoutPath: `${logs}.out.log`,
    stderrPath: `${logs}.err.log`,
    calendar: launchdCalendar(parseSchedule(schedule.schedule, schedule.timezone), schedule.timezone, systemZone),
  };
}

export function renderLaunchdRunFor(target: ServiceTarget, schedule: TimerSchedule, systemZone?: string): string {
  return renderLaunchdPlist(launchdRunSpecFor(target, schedule, systemZone));
}
