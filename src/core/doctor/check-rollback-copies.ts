import { formatBytes, formatDuration } from '../format.js';
import { findRollbackCopies } from '../rollback/find-copies.js';
import { ok, type DoctorCheck } from './types.js';

const ID = 'rollback-copies';

/** Rollback copies hold a full previous state, credentials included: worth knowing about, and removing once used. */
export const checkRollbackCopies: DoctorCheck = async (context) => {
  const copies = await findRollbackCopies(context.paths, context.config?.openclaw);
  if (copies.length === 0) return [ok(ID, 'no rollback copies left by restores')];
  const bytes = copies.reduce((sum, copy) => sum + copy.bytes, 0);
  const oldest = copies.at(-1) as (typeof copies)[number];
  const age = formatDuration(Math.max(0, context.now.getTime() - Date.parse(oldest.createdAt)));
  return [
    {
      id: ID,
      level: 'warn',
      message: `${copies.length} rollback ${copies.length === 1 ? 'copy' : 'copies'} (${formatBytes(bytes)}, oldest ${age} old: ${oldest.path}) hold a previous state with its credentials and keys`,
      fix: 'once the restored state works: openclaw-backup rollbacks remove --dry-run, then without --dry-run (or set backup.keepRollbacks)',
    },
  ];
};
