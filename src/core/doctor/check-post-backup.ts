import fs from 'node:fs/promises';
import path from 'node:path';
import { findUnsafeConfigWriter } from '../config-safety.js';
import { chmodNoFollow } from '../fs/no-follow.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';

const ID = 'post-backup';

/** postBackup and onFailure run shell commands as this user: the file that sets it must be writable by this user only. */
export const checkPostBackup: DoctorCheck = async (context) => {
  const backup = context.config?.backup;
  const hooks = [backup?.postBackup ? 'postBackup' : '', backup?.onFailure ? 'onFailure' : ''].filter(Boolean).join(' and ');
  if (!hooks) return [ok(ID, 'no postBackup hook configured')];
  const { configPath } = context.paths;
  let problem = await findUnsafeConfigWriter(configPath, context.uid);
  const fixed: string[] = [];
  if (problem && context.fix) {
    // The config the user named, where it leads; the chmod itself never follows a link (lstat, then the open file).
    const realConfig = await fs.realpath(configPath).catch(() => configPath);
    for (const target of [realConfig, path.dirname(realConfig)]) {
      const stat = await fs.lstat(target).catch(() => undefined);
      if (!stat || stat.isSymbolicLink() || stat.uid !== context.uid || (stat.mode & 0o022) === 0) continue;
      const mode = target === realConfig ? stat.mode & 0o700 : stat.mode & 0o7755 & ~0o022;
      await chmodNoFollow(target, mode);
      fixed.push(`chmod ${mode.toString(8).padStart(4, '0')} ${target}`);
    }
    problem = await findUnsafeConfigWriter(configPath, context.uid);
  }
  const finding: DoctorFinding = problem
    ? {
        id: ID,
        level: 'error',
        message: `${hooks} ${hooks.includes(' and ') ? 'are' : 'is'} set but ${problem}: anyone who can edit it can run commands as you; the daemon will not run the hook`,
        fix: `chmod 600 ${configPath} (and chmod go-w ${path.dirname(configPath)}), or: openclaw-backup doctor --fix`,
      }
    : ok(ID, `${hooks} ${hooks.includes(' and ') ? 'are' : 'is'} set and ${configPath} is writable only by you`);
  if (fixed.length) finding.fixed = fixed;
  return [finding];
};
