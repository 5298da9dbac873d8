/*
 * The identity module: the state id kept in the state dir, made by the first backup, carried by restore and re-
 * keyed for a clone or copy. Snapshots belong to a state by this id, never by hostname.
 */
import fs from 'node:fs/promises';
import {
  createIdentity,
  identityRecord,
  newStateId,
  readIdentityFile,
  readStateIdentity,
  writeIdentity,
  type StateIdentity,
} from './identity-file.js';
import { machineFingerprint, type MachineFingerprint } from './machine.js';

export interface EnsureIdentityOptions {
  now?: Date;
  /** The machine (tests); default machineFingerprint(). null: the platform has none. */
  machine?: MachineFingerprint | null;
}

export interface EnsuredIdentity {
  identity: StateIdentity;
  /** A new series began with this call (a first backup, a copy, an unreadable file). */
  created: boolean;
  /** Why a new series began where one existed, and how to continue the old one instead. */
  warning?: string | undefined;
}

const realpathOrUndefined = (p: string) => fs.realpath(p).catch(() => undefined);

/** How to take the old series back when the re-keying was wrong (a state moved here on purpose). */
function continueHint(stateDir: string, old: string): string {
  return `if this state dir was moved here on purpose and should continue that series, run: openclaw-backup --state-dir ${stateDir} state-id --continue ${old}`;
}

/**
 * The state id a backup is made under (the state's first backup makes it). An id travels with the state dir only
 * through a restore (which re-homes it): a state dir that turns up on another machine without one (a VM clone, an
 * rsync) or beside the dir it was copied from gets a new id, so two states never share a series; the warning says
 * how to continue the old series when that was the intent. A state dir moved on this machine keeps its id.
 */
export async function ensureStateIdentity(stateDir: string, options: EnsureIdentityOptions = {}): Promise<EnsuredIdentity> {
  const now = (options.now ?? new Date()).toISOString();
  const machine = options.machine === undefined ? await machineFingerprint() : options.machine;
  const real = (await realpathOrUndefined(stateDir)) ?? stateDir;
  const fresh = (previous?: StateIdentity['previous']) =>
    identityRecord({ stateId: newStateId(), since: now, origin: 'created', machine: machine?.id ?? null, stateDir: real, previous });
  const read = await readIdentityFile(stateDir);
  if ('missing' in read) return { identity: await createIdentity(stateDir, fresh()), created: true };
  if ('corrupt' in read) {
    const identity = fresh();
    await writeIdentity(stateDir, identity);
    return {
      identity,
      created: true,
      warning: `the state id file in ${stateDir} was unreadable (${read.corrupt}): its backups start a new series, state id ${identity.stateId}; to continue an older series, find its id with \`openclaw-backup list --state-id …\` and run: openclaw-backup --state-dir ${stateDir} state-id --continue <id>`,
    };
  }
  const current = read.identity;
  const rekey = async (why: string) => {
    const identity = fresh({ stateId: current.stateId, until: now, reason: why });
    await writeIdentity(stateDir, identity);
    return {
      identity,
      created: true,
      warning: `${stateDir} carries the state id ${current.stateId} of ${why}, and was not restored here: its backups start a new series, state id ${identity.stateId} (two states never share one); ${continueHint(stateDir, current.stateId)}`,
    };
  };
  if (machine && current.machine && current.machine !== machine.id) return rekey('another machine');
  if (current.stateDir !== real) {
    const recorded = await realpathOrUndefined(current.stateDir);
    if (recorded !== undefined && recorded !== real && (await readStateIdentity(recorded))?.stateId === current.stateId) {
      return rekey(`${current.stateDir}, which still holds it (this dir is a copy)`);
    }
  }
  if (current.stateDir === real && (current.machine ?? null) === (machine?.id ?? current.machine ?? null)) {
    return { identity: current, created: false };
  }
  // Moved on this machine, or the platform's machine id appeared: the same state, recorded where it is now.
  const { version: _version, hostname: _hostname, ...kept } = current;
  const identity = identityRecord({ ...kept, stateDir: real, machine: machine?.id ?? current.machine });
  await writeIdentity(stateDir, identity);
  return { identity, created: false };
}

/** The id a backup is made under (the series its snapshot or header names): ensured for a backup, read for a dry run. */
export async function stateIdForBackup(
  stateDir: string,
  options: { dryRun: boolean; onWarning: (message: string) => void },
): Promise<string | undefined> {
  if (options.dryRun) return (await readStateIdentity(stateDir))?.stateId;
  const ensured = await ensureStateIdentity(stateDir);
  if (ensured.warning) options.onWarning(ensured.warning);
  return ensured.identity.stateId;
}
