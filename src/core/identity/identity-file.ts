import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { publishNoOverwrite, tempSuffix, writeFileAtomic } from '../fs/atomic.js';

/**
 * `<stateDir>/openclaw-backup-id.json`: the state's id, the series its backups belong to. Like the status record it
 * is ours, never archived and never swapped by a restore; a restore writes it from the backup it restored.
 */
export const IDENTITY_FILE = 'openclaw-backup-id.json';

const ID_PATTERN = /^[0-9a-f]{16}$/;

export const isStateId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);

/** 64 random bits as 16 hex digits: short enough to type after --state-id, and never a restic tag separator. */
export const newStateId = (): string => randomBytes(8).toString('hex');

export interface StateIdentity {
  version: 1;
  /** The series this state's backups belong to: every snapshot carries `state:<id>`, every archive header `stateId`. */
  stateId: string;
  /** When this state took the id. */
  since: string;
  /** Made by the state's first backup, brought by a restore, or taken over with `state-id --continue`. */
  origin: 'created' | 'restored' | 'continued';
  /** The machine the id lives on (a hash of its machine id; null where the platform has none). */
  machine: string | null;
  /** The state dir's real path when the id was last confirmed: a copy elsewhere on this machine is told apart by it. */
  stateDir: string;
  /** For people reading the file; never compared (hostnames change and are shared). */
  hostname: string;
  /** The id it had before a restore, a copy check or `--continue` replaced it: the way back. */
  previous?: { stateId: string; until: string; reason: string } | undefined;
}

export const identityPathFor = (stateDir: string): string => path.join(stateDir, IDENTITY_FILE);

export type ReadIdentity = { identity: StateIdentity } | { missing: true } | { corrupt: string };

/** The file as it is: missing, corrupt (with why), or the identity. */
export async function readIdentityFile(stateDir: string): Promise<ReadIdentity> {
  let text: string;
  try {
    text = await fs.readFile(identityPathFor(stateDir), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { missing: true } : { corrupt: (error as Error).message };
  }
  try {
    const parsed = JSON.parse(text) as Partial<StateIdentity>;
    if (parsed?.version !== 1 || !isStateId(parsed.stateId) || typeof parsed.stateDir !== 'string')
      throw new Error('not a state id record');
    return {
      identity: {
        version: 1,
        stateId: parsed.stateId,
        since: typeof parsed.since === 'string' ? parsed.since : new Date(0).toISOString(),
        origin: parsed.origin === 'restored' || parsed.origin === 'continued' ? parsed.origin : 'created',
        machine: typeof parsed.machine === 'string' ? parsed.machine : null,
        stateDir: parsed.stateDir,
        hostname: typeof parsed.hostname === 'string' ? parsed.hostname : '',
        previous: parsed.previous && isStateId(parsed.previous.stateId) ? parsed.previous : undefined,
      },
    };
  } catch (error) {
    return { corrupt: (error as Error).message };
  }
}

/** This state's identity, or undefined when it has none yet (or its file is unreadable: the next backup says so). */
export async function readStateIdentity(stateDir: string): Promise<StateIdentity | undefined> {
  const read = await readIdentityFile(stateDir);
  return 'identity' in read ? read.identity : undefined;
}

export function identityRecord(fields: Omit<StateIdentity, 'version' | 'hostname'>): StateIdentity {
  const { previous, ...rest } = fields;
  return { version: 1, ...rest, hostname: os.hostname(), ...(previous ? { previous } : {}) };
}

const serialize = (identity: StateIdentity) => `${JSON.stringify(identity, null, 2)}\n`;

export async function writeIdentity(stateDir: string, identity: StateIdentity): Promise<void> {
  await writeFileAtomic(identityPathFor(stateDir), serialize(identity), 0o600);
}

/**
 * Writes a first identity only if there is none: two first backups racing both end up with the one that landed.
 * Returns the identity now on disk.
 */
export async function createIdentity(stateDir: string, identity: StateIdentity): Promise<StateIdentity> {
  const file = identityPathFor(stateDir);
  const temp = `${file}.${tempSuffix()}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(serialize(identity));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await publishNoOverwrite(temp, file);
    return identity;
  } catch (error) {
    await fs.rm(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readStateIdentity(stateDir)) ?? identity;
  }
}
