import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { backupCliOk } from './backup-cli.js';
import { nonLoopbackSockets, startGateway } from './gateway.js';
import { openclaw, type ClawHome } from './openclaw.js';
import { agentTurn, listSessions, transcriptCounts, type AgentTurn, type ListedSession } from './sessions.js';

/** What the source state held when its archive was made (its gateway stopped, so nothing moves). */
export interface SessionSnapshot {
  home: string;
  sessions: ListedSession[];
  counts: Record<string, number>;
}

export async function snapshotSessions(h: ClawHome): Promise<SessionSnapshot> {
  return { home: h.home, sessions: await listSessions(h), counts: transcriptCounts(h.stateDir) };
}

export interface RestoreJson {
  target: string;
  rewrites: { key: string; from: string; to: string }[];
  roots: { role: string; source?: string; destination: string; placement: string }[];
}

export interface MigrationResult {
  restore: RestoreJson;
  gatewayStartMs: number;
  sessionsCompared: number;
  continued: { key: string; eventsBefore: number; eventsAfter: number; turn: AgentTurn };
}

/**
 * The migration story on the real gateway: our `restore` of `archive` into `dest` (another user's home), then
 * `openclaw config validate` passes, the gateway starts, `openclaw sessions --json` lists the same sessions with
 * the same transcript counts, and a new turn continues `continueKey` in the same session.
 */
export async function migrateAndContinue(
  source: SessionSnapshot,
  dest: ClawHome,
  archive: string,
  continueKey: string,
): Promise<MigrationResult> {
  const restored = await backupCliOk(dest, ['restore', archive, '--json'], 240_000);
  const restore = JSON.parse(restored.stdout) as RestoreJson;
  expect(restore.target).toBe(dest.stateDir);
  expect(fs.readFileSync(path.join(dest.stateDir, 'openclaw.json'), 'utf8')).not.toContain(source.home);

  const validate = await openclaw(dest, ['config', 'validate']);
  expect(validate.code, `${validate.stdout}${validate.stderr}`).toBe(0);
  // On the port the restored config names, as a user would run it (`openclaw agent` connects there too).
  const gateway = await startGateway(dest);
  try {
    expect(nonLoopbackSockets(gateway)).toEqual([]);
    expect(await listSessions(dest)).toEqual(source.sessions);
    expect(transcriptCounts(dest.stateDir)).toEqual(source.counts);
    const turn = await agentTurn(dest, `continuing ${continueKey} after the move`, { sessionKey: continueKey });
    expect(turn.error ?? turn.text).toMatch(/fake reply #\d+/);
    expect(turn.sessionId).toBe(source.sessions.find((s) => s.key === continueKey)?.sessionId);
    await gateway.stop();
    const eventsAfter = transcriptCounts(dest.stateDir)[continueKey] ?? 0;
    const eventsBefore = source.counts[continueKey] ?? 0;
    expect(eventsAfter).toBeGreaterThan(eventsBefore);
    return {
      restore,
      gatewayStartMs: gateway.startMs,
      sessionsCompared: source.sessions.length,
      continued: { key: continueKey, eventsBefore, eventsAfter, turn },
    };
  } finally {
    await gateway.stop();
  }
}
