import path from 'node:path';
import { readStatus, wasMadeHere, type StatusRecord } from '../status-record.js';
import { readStateIdentity } from '../identity/identity-file.js';
import type { StoredBackup } from './types.js';

/** What a backup is to this state, from what the state knows of itself: its id, its profile, its status record. */
export interface ProvenanceContext {
  stateId: string | undefined;
  profile: string;
  record: StatusRecord | undefined;
}

export type Provenance =
  | { kind: 'here' }
  | { kind: 'unknown' }
  /** Another state's, or another profile's: a restore makes this state that one. */
  | { kind: 'other-state'; why: string }
  /** In this state's series, yet not in its record of what it made: another machine of the series, or forged. */
  | { kind: 'not-made-here' };

export function provenanceOf(backup: StoredBackup, context: ProvenanceContext): Provenance {
  const bothIds = backup.stateId !== undefined && context.stateId !== undefined;
  if (bothIds && backup.stateId !== context.stateId)
    return { kind: 'other-state', why: `state id ${backup.stateId}, not this state's ${context.stateId}` };
  // The same id is the same state, whatever profile it was under then (a state dir renamed keeps its series).
  if (!bothIds && backup.profile !== context.profile && backup.profile !== 'unknown')
    return { kind: 'other-state', why: `profile ${backup.profile}, not ${context.profile}` };
  if (!context.record) return { kind: 'unknown' };
  const made = wasMadeHere(context.record, backup);
  return made === true ? { kind: 'here' } : made === false ? { kind: 'not-made-here' } : { kind: 'unknown' };
}

const labelOf = (backup: StoredBackup) => (backup.snapshot ? `snapshot ${backup.archive}` : path.basename(backup.archive));
const hostOf = (backup: StoredBackup) => (backup.hostname ? ` on host ${backup.hostname}` : '');

/**
 * What restore says before it puts a backup in place that this state did not make: another state's or profile's
 * (the state becomes that one), one its own record does not know, one dated in the future.
 */
export function provenanceWarnings(backup: StoredBackup, context: ProvenanceContext): string[] {
  const warnings: string[] = [];
  const label = labelOf(backup);
  if (backup.suspect)
    warnings.push(
      `${label} is ${backup.suspect}: a wrong clock made it, or someone who can write to ${backup.repository ?? 'the backups dir'}; check it before trusting it`,
    );
  const provenance = provenanceOf(backup, context);
  if (provenance.kind === 'other-state')
    warnings.push(`${label} is not this state's backup: it was made${hostOf(backup)} for ${provenance.why}`);
  else if (provenance.kind === 'not-made-here')
    warnings.push(
      `${label} was not made here: it carries this state's id, but this state's status record has no note of it (made${hostOf(backup) || ' elsewhere'}); another machine restored from this state, or anyone with the repository password, can add one: check it before trusting it`,
    );
  return warnings;
}

/** This state's side of the comparison, read from its state dir (which need not exist: a new machine). */
export async function readProvenanceContext(stateDir: string, profile: string): Promise<ProvenanceContext> {
  const [identity, status] = await Promise.all([readStateIdentity(stateDir), readStatus(stateDir)]);
  return { stateId: identity?.stateId, profile, record: status.record };
}
