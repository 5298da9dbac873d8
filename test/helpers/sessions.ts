import fs from 'node:fs';
import os from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'vitest';
import { runCli, type CliResult } from './fixture.js';

/** Runs the built CLI and fails the test with its output when the exit code is not `code`. */
export async function cliExpect(args: string[], env: NodeJS.ProcessEnv, code = 0, input?: string): Promise<CliResult> {
  const result = await runCli(args, { env, timeoutMs: 300_000, ...(input === undefined ? {} : { input }) });
  expect(result.code, `openclaw-backup ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(code);
  return result;
}

/** `sessions export KEY` of the live state: the session exactly, entry, rows and every transcript event. */
export async function exportedSession(env: NodeJS.ProcessEnv, key: string): Promise<string> {
  return (await cliExpect(['sessions', 'export', key], env)).stdout;
}

/** Deletes a session as OpenClaw's schema does it: the session_nodes row, and every row hanging off it by cascade. */
export function deleteSession(agentDb: string, key: string): void {
  const db = new DatabaseSync(agentDb);
  try {
    db.exec('PRAGMA foreign_keys = ON');
    const deleted = db.prepare('DELETE FROM session_nodes WHERE session_key = ?').run(key);
    expect(deleted.changes).toBe(1);
  } finally {
    db.close();
  }
}

/**
 * Transcript events per session key (every window). Read by a connection that writes nothing but, unlike a read-only
 * one, removes the -wal and -shm its reading made when it closes: the store is left at rest, as OpenClaw leaves it.
 */
export function eventCounts(agentDb: string): Record<string, number> {
  const db = new DatabaseSync(agentDb);
  try {
    const rows = db
      .prepare(
        `SELECT w.session_key AS key, count(e.seq) AS n FROM session_windows w
           LEFT JOIN transcript_events e ON e.session_id = w.session_id GROUP BY w.session_key ORDER BY w.session_key`,
      )
      .all() as Array<{ key: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.n]));
  } finally {
    db.close();
  }
}

/**
 * A session made after a backup: agent:main:main's document under a new key and session id, imported (the way a
 * user's new conversation appears in the store, without a gateway).
 */
export async function addSessionAfterBackup(env: NodeJS.ProcessEnv, key: string, sessionId: string): Promise<void> {
  const doc = JSON.parse(await exportedSession(env, 'agent:main:main')) as { sessions: Array<{ sessionId: string }> };
  const oldId = doc.sessions[0]!.sessionId;
  const text = JSON.stringify(doc).split(oldId).join(sessionId).split('"agent:main:main"').join(JSON.stringify(key));
  await cliExpect(['sessions', 'import', '-'], env, 0, text);
}

/** Our temp dirs a sessions read leaves in $TMPDIR (there must be none once a command has exited). */
export function leftReadDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('openclaw-backup-sessions-'));
}
