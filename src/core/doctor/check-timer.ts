import fs from 'node:fs/promises';
import path from 'node:path';
import { backupRunLaunchdLabel, backupRunSystemdUnits, isDefaultProfile, launchAgentsDir, systemdUserDir } from '../service-names.js';
import { ok, type DoctorCheck } from './types.js';

/** What `service install --timer` wrote into the file's header: the schedule (and zone) it was converted from. */
const FROM = /From backup\.schedule "(.*?)"(?: in (\S+?))?; install again/;

/**
 * The timer's calendar is converted from backup.schedule when it is installed; a schedule changed since then is
 * not what runs. No finding when no timer is installed.
 */
export const checkTimer: DoctorCheck = async (context) => {
  const { profile } = context.paths;
  const file =
    process.platform === 'darwin'
      ? path.join(launchAgentsDir(context.home), `${backupRunLaunchdLabel(profile)}.plist`)
      : path.join(systemdUserDir(context.env, context.home), backupRunSystemdUnits(profile).timer);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const match = text ? FROM.exec(text.replaceAll('&quot;', '"')) : null;
  if (!match) return [];
  const [, schedule, timezone] = match;
  const { backup } = context;
  if (schedule === backup.schedule && (timezone ?? undefined) === backup.timezone) {
    return [ok('timer', `${file} runs on backup.schedule "${schedule}"${timezone ? ` in ${timezone}` : ''}`)];
  }
  return [
    {
      id: 'timer',
      level: 'warn',
      message: `${file} was made from backup.schedule "${schedule}"${timezone ? ` in ${timezone}` : ''}, but the config now says "${backup.schedule}"${backup.timezone ? ` in ${backup.timezone}` : ''}: the timer still runs on the old one`,
      fix: `openclaw-backup${isDefaultProfile(profile) ? '' : ` --profile ${profile}`} service install --timer`,
    },
  ];
};
