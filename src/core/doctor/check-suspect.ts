import type { DoctorCheck, DoctorFinding } from './types.js';

/**
 * Backups of this state dated in the future: never latest, never counted by retention or freshness, but someone or
 * something made them (a wrong clock, or anyone who can write to the repository): say so.
 */
export const checkSuspectBackups: DoctorCheck = async (context) => {
  const listing = await context.store.list({ now: context.now }).catch(() => undefined);
  const suspect = listing?.suspect ?? [];
  if (suspect.length === 0) return [];
  const shown = suspect.slice(0, 3).map((b) => `${b.archive} (${b.createdAt}${b.hostname ? `, host ${b.hostname}` : ''})`);
  const more = suspect.length > 3 ? ` and ${suspect.length - 3} more` : '';
  const finding: DoctorFinding = {
    id: 'suspect-backups',
    level: 'warn',
    message: `${suspect.length} backup${suspect.length === 1 ? '' : 's'} of this state in ${listing?.location} dated in the future, not counted: ${shown.join(', ')}${more}`,
    fix: context.store.suspectAdvice,
  };
  return [finding];
};
