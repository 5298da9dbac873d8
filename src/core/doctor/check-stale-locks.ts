import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../fs/atomic.js';
import { lockPathFor, readLockOwner } from '../locks/lock.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

const ID = 'locks';

interface StaleLock {
  path: string;
  why: string;
}

/** Our lock: stale when its owner on this host is dead, or it has no owner and was not refreshed for a minute. */
async function ourStaleLock(context: DoctorContext): Promise<StaleLock | undefined> {
  const lockPath = lockPathFor(context.paths.stateDir);
  const stat = await fs.stat(lockPath).catch(() => undefined);
  if (!stat) return undefined;
  const owner = await readLockOwner(context.paths.stateDir);
  if (owner) {
    if (owner.hostname !== os.hostname() || isProcessAlive(owner.pid)) return undefined;
    return { path: lockPath, why: `owner pid ${owner.pid} (${owner.command}) is not running` };
  }
  return context.now.getTime() - stat.mtimeMs > 60_000
    ? { path: lockPath, why: 'no owner recorded and not refreshed for over a minute' }
    : undefined;
}

/** OpenClaw's session locks (`sessions.json.lock`, `*.jsonl.lock`: JSON with the owner pid) left by a crash. */
async function openClawStaleLocks(context: DoctorContext): Promise<StaleLock[]> {
  const agentsDir = path.join(context.paths.stateDir, 'agents');
  const stale: StaleLock[] = [];
  for (const agent of await fs.readdir(agentsDir).catch(() => [] as string[])) {
    const sessions = path.join(agentsDir, agent, 'sessions');
    for (const name of await fs.readdir(sessions).catch(() => [] as string[])) {
      if (name !== 'sessions.json.lock' && !name.endsWith('.jsonl.lock')) continue;
      const file = path.join(sessions, name);
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      let pid: unknown;
      try {
        pid = (JSON.parse(text) as { pid?: unknown }).pid;
      } catch {
        pid = undefined;
      }
      if (typeof pid === 'number' && !isProcessAlive(pid)) stale.push({ path: file, why: `owner pid ${pid} is not running` });
    }
  }
  return stale;
}

async function collect(context: DoctorContext): Promise<StaleLock[]> {
  const ours = await ourStaleLock(context);
  return [...(ours ? [ours] : []), ...(await openClawStaleLocks(context))];
}

/** Lock files whose owner died: ours block backups, OpenClaw's wedge sessions. --fix removes them. */
export const checkStaleLocks: DoctorCheck = async (context) => {
  let stale = await collect(context);
  const fixed: string[] = [];
  if (context.fix) {
    for (const lock of stale) {
      await fs.rm(lock.path, { recursive: true, force: true });
      fixed.push(`removed ${lock.path} (${lock.why})`);
    }
    stale = await collect(context);
  }
  const findings: DoctorFinding[] = stale.map((lock) => ({
    id: ID,
    level: 'error',
    message: `stale lock ${lock.path}: ${lock.why}`,
    fix: `rm -r ${lock.path} (or: openclaw-backup doctor --fix)`,
  }));
  if (findings.length === 0) findings.push(ok(ID, 'no stale lock files'));
  if (fixed.length) (findings[0] as DoctorFinding).fixed = fixed;
  return findings;
};
