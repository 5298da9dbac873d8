import { findUnsafeConfigWriter, repairConfigMode } from '../config-safety.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';

const ID = 'post-backup';
/** Each repair fixes one path; the config and its parents up to `/` are a short chain. */
const MAX_REPAIRS = 32;

/**
 * postBackup and onFailure run shell commands as this user: the file that sets them, and every directory above it,
 * must be changeable by this user (or root) only — the same check the hook runner applies.
 */
export const checkPostBackup: DoctorCheck = async (context) => {
  const backup = context.config?.backup;
  const hooks = [backup?.postBackup ? 'postBackup' : '', backup?.onFailure ? 'onFailure' : ''].filter(Boolean).join(' and ');
  if (!hooks) return [ok(ID, 'no postBackup hook configured')];
  const { configPath } = context.paths;
  let problem = await findUnsafeConfigWriter(configPath, context.uid);
  const fixed: string[] = [];
  for (let i = 0; context.fix && problem?.repair && i < MAX_REPAIRS; i += 1) {
    const { repair } = problem;
    if (!(await repairConfigMode(repair))) break;
    fixed.push(`chmod ${repair.mode.toString(8).padStart(4, '0')} ${repair.path}`);
    problem = await findUnsafeConfigWriter(configPath, context.uid);
  }
  const finding: DoctorFinding = problem
    ? {
        id: ID,
        level: 'error',
        message: `${hooks} ${hooks.includes(' and ') ? 'are' : 'is'} set but ${problem.reason}: anyone who can change the config can run commands as you; the daemon will not run the hook`,
        fix: problem.repair ? `${problem.fix}, or: openclaw-backup doctor --fix` : problem.fix,
      }
    : ok(
        ID,
        `${hooks} ${hooks.includes(' and ') ? 'are' : 'is'} set and ${configPath} (and every directory above it) is writable only by you`,
      );
  if (fixed.length) finding.fixed = fixed;
  return [finding];
};
