import fs from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { identityRecord, isStateId, readStateIdentity, writeIdentity, type StateIdentity } from './identity-file.js';
import { machineFingerprint, type MachineFingerprint } from './machine.js';

export interface CarryIdentityOptions {
  /** Where the restore put the state (the live state dir, or --target). */
  target: string;
  /** This machine's state dir: a --target copy of the state that lives there carries no id (it would share its series). */
  liveStateDir: string;
  inPlace: boolean;
  /** The series of the backup restored (its header's stateId, else the snapshot's state tag); undefined: none known. */
  stateId: string | undefined;
  /** The state dir the backup was made from (its header's): if that state still lives here, this is a copy of it. */
  origin?: string | undefined;
  now?: Date;
  machine?: MachineFingerprint | null;
}

/**
 * After a full restore: the restored state continues the backup's series, re-homed onto this machine and dir, so
 * its next backup is tagged with the same id wherever it now runs. A backup that names no series (an old archive,
 * OpenClaw's own, a hand-made tar) leaves the state's own id as it was. Returns what the user should know.
 */
export async function carryStateIdentity(options: CarryIdentityOptions): Promise<string | undefined> {
  const { stateId } = options;
  if (!isStateId(stateId)) return undefined;
  if (!options.inPlace && (await readStateIdentity(options.liveStateDir))?.stateId === stateId) return undefined;
  const machine = options.machine === undefined ? await machineFingerprint() : options.machine;
  const living = await livingOrigin(options, machine);
  if (living)
    return `the state this backup was made from still lives on this machine, at ${living}, with state id ${stateId}: ${options.target} is a copy of it and gets a series of its own at its first backup`;
  const current = await readStateIdentity(options.target);
  if (current?.stateId === stateId) {
    await writeIdentity(options.target, await homed(options, current.since, current.origin, current.previous));
    return undefined;
  }
  const now = (options.now ?? new Date()).toISOString();
  const previous = current ? { stateId: current.stateId, until: now, reason: 'restore' } : undefined;
  await writeIdentity(options.target, await homed(options, now, 'restored', previous));
  return current
    ? `${options.target} now continues the restored backup's series, state id ${stateId} (it was ${current.stateId})`
    : undefined;
}

/** The backup's own state dir, when it is another dir on this machine that still holds the id. */
async function livingOrigin(options: CarryIdentityOptions, machine: MachineFingerprint | null | undefined): Promise<string | undefined> {
  if (!options.origin) return undefined;
  const [origin, target] = await Promise.all([
    fs.realpath(options.origin).catch(() => undefined),
    fs.realpath(options.target).catch(() => undefined),
  ]);
  if (!origin || origin === target) return undefined;
  const there = await readStateIdentity(origin);
  return there !== undefined && there.stateId === options.stateId && there.machine === (machine?.id ?? null) ? options.origin : undefined;
}

async function homed(
  options: CarryIdentityOptions,
  since: string,
  origin: StateIdentity['origin'],
  previous: StateIdentity['previous'],
): Promise<StateIdentity> {
  const machine = options.machine === undefined ? await machineFingerprint() : options.machine;
  const real = await fs.realpath(options.target).catch(() => options.target);
  return identityRecord({ stateId: options.stateId as string, since, origin, machine: machine?.id ?? null, stateDir: real, previous });
}

/** `state-id --continue ID`: this state takes over a series (one it left by being moved or copied here). */
export async function continueSeries(
  stateDir: string,
  stateId: string,
  options: { now?: Date; machine?: MachineFingerprint | null } = {},
): Promise<{ identity: StateIdentity; previous: string | undefined }> {
  if (!isStateId(stateId)) throw new UsageError(`--continue: "${stateId}" is not a state id (16 hex digits, as \`list\` shows them)`);
  const current = await readStateIdentity(stateDir);
  const now = (options.now ?? new Date()).toISOString();
  const machine = options.machine === undefined ? await machineFingerprint() : options.machine;
  const real = await fs.realpath(stateDir).catch(() => stateDir);
  const previous =
    current && current.stateId !== stateId ? { stateId: current.stateId, until: now, reason: 'state-id --continue' } : current?.previous;
  const identity = identityRecord({ stateId, since: now, origin: 'continued', machine: machine?.id ?? null, stateDir: real, previous });
  await writeIdentity(stateDir, identity);
  return { identity, previous: current && current.stateId !== stateId ? current.stateId : undefined };
}
