import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { countRows, FIXTURES, runCli } from '../helpers/fixture.js';
import { fixtureHome, holdGatewayLock, removeTempHomes, legacyHome, treeState } from '../helpers/migrate.js';

const REPORTED = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'openclaw-2026.9.6-default.sessions.json'), 'utf8')) as {
  sessions: Array<{ key: string; sessionId: string }>;
};
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  removeTempHomes();
});

function removeDb(file: string): void {
  for (const side of ['', '-wal', '-shm']) fs.rmSync(`${file}${side}`, { force: true });
}

async function exportAll(env: NodeJS.ProcessEnv): Promise<string> {
  const result = await runCli(['sessions', 'export', '--all'], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** The fixture's sessions exported, then its session store deleted. */
async function exportedThenEmptied(): Promise<Awaited<ReturnType<typeof fixtureHome>> & { doc: string }> {
  const fixture = await fixtureHome();
  const doc = await exportAll(fixture.env);
  removeDb(fixture.agentDb);
  return { ...fixture, doc };
}

describe('sessions export/import on the real OpenClaw 2026.9.6 fixture', () => {
  it('exports every session OpenClaw reported, with entry and every transcript event in order', async () => {
    const { env } = await fixtureHome();
    const doc = JSON.parse(await exportAll(env));
    expect(doc.format).toBe('openclaw-backup/sessions');
    expect(doc.version).toBe(1);
    expect(doc.sessions.map((s: { key: string }) => s.key).sort()).toEqual(REPORTED.sessions.map((s) => s.key).sort());
    for (const reported of REPORTED.sessions) {
      const session = doc.sessions.find((s: { key: string }) => s.key === reported.key);
      expect(session.sessionId).toBe(reported.sessionId);
      expect(session.entry.sessionId).toBe(reported.sessionId);
      const events = session.windows[0].events;
      expect(events.map((e: { seq: number }) => e.seq)).toEqual([...Array(10).keys()]);
      expect(events[0].event.type).toBe('session');
      expect(events.filter((e: { event: { type: string } }) => e.event.type === 'message')).toHaveLength(4);
      expect(session.rows.transcript_event_identities).toHaveLength(10);
    }
    expect(doc.agents.main).toMatchObject({ layout: 'sqlite', schemaVersion: 23, appVersion: '2026.9.6' });
  });

  it('round trips: export all, delete the store, import into a new store, export again gives the same document', async () => {
    const { env, agentDb } = await fixtureHome();
    const first = await exportAll(env);
    removeDb(agentDb);
    const input = path.join(env.HOME!, 'sessions.json');
    fs.writeFileSync(input, first);
    const imported = await runCli(['sessions', 'import', input], { env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('new store');
    expect(fs.statSync(agentDb).mode & 0o777).toBe(0o600);
    expect(await exportAll(env)).toBe(first);
  });

  it('round trips after deleting the sessions from a live store, read from stdin', async () => {
    const { env, agentDb } = await fixtureHome();
    const first = await exportAll(env);
    const db = new DatabaseSync(agentDb);
    db.exec('PRAGMA foreign_keys = ON; DELETE FROM session_nodes;');
    db.close();
    expect(await countRows(agentDb, 'transcript_events')).toBe(0);
    const imported = await runCli(['sessions', 'import', '-'], { env, input: first });
    expect(imported.code).toBe(0);
    expect(await countRows(agentDb, 'transcript_events')).toBe(20);
    expect(await exportAll(env)).toBe(first);
  });

  it('exports one key, and an unknown key is exit 1 listing the known keys', async () => {
    const { env } = await fixtureHome();
    const one = await runCli(['sessions', 'export', 'agent:main:fixture-notes'], { env });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).sessions.map((s: { key: string }) => s.key)).toEqual(['agent:main:fixture-notes']);
    const unknown = await runCli(['sessions', 'export', 'agent:main:nope'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('unknown session key "agent:main:nope"; known keys: agent:main:fixture-notes, agent:main:main');
  });

  it('reads a database while another connection holds a write transaction, without waiting and without uncommitted rows', async () => {
    const { env, agentDb } = await fixtureHome();
    const writer = new DatabaseSync(agentDb);
    writer.exec('BEGIN IMMEDIATE');
    writer.exec("UPDATE session_nodes SET label = 'uncommitted'");
    cleanups.push(() => {
      writer.exec('ROLLBACK');
      writer.close();
    });
    const started = Date.now();
    const doc = JSON.parse(await exportAll(env));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(doc.sessions.every((s: { rows: { session_nodes: Array<{ label: unknown }> } }) => s.rows.session_nodes[0]!.label === null)).toBe(
      true,
    );
  });

  it('decodes zstd-compressed events and writes them back compressed', async () => {
    const { env, agentDb } = await fixtureHome();
    const plain = JSON.parse(await exportAll(env));
    const zlib = await import('node:zlib');
    const db = new DatabaseSync(agentDb);
    const navigation = JSON.stringify({
      version: 1,
      report: { kind: 'canonical' },
      navigation: {},
      reset: {},
      model: {},
      modelBytes: 0,
      modelWithoutCheckpointBytes: 0,
      withoutCustomDataBytes: 0,
    });
    for (const row of db.prepare('SELECT session_id, seq, event_json FROM transcript_events').all() as Array<{
      session_id: string;
      seq: number;
      event_json: string;
    }>) {
      db.prepare(
        'UPDATE transcript_events SET event_json = NULL, event_zstd = ?, event_utf8_bytes = ?, navigation_json = ? WHERE session_id = ? AND seq = ?',
      ).run(zlib.zstdCompressSync(Buffer.from(row.event_json)), Buffer.byteLength(row.event_json), navigation, row.session_id, row.seq);
    }
    db.close();
    const text = await exportAll(env);
    const compressed = JSON.parse(text);
    for (const [i, session] of compressed.sessions.entries()) {
      const events = session.windows[0].events;
      expect(events.every((e: { encoding: string }) => e.encoding === 'zstd')).toBe(true);
      expect(events.map((e: { event: unknown }) => e.event)).toEqual(
        plain.sessions[i].windows[0].events.map((e: { event: unknown }) => e.event),
      );
    }
    removeDb(agentDb);
    expect((await runCli(['sessions', 'import', '-'], { env, input: text })).code).toBe(0);
    const check = new DatabaseSync(agentDb, { readOnly: true });
    expect((check.prepare('SELECT count(*) AS n FROM transcript_events WHERE event_zstd IS NOT NULL').get() as { n: number }).n).toBe(20);
    check.close();
    expect(await exportAll(env)).toBe(text);
  });
});

describe('sessions import conflicts and refusals', () => {
  it('fails by default on existing keys (exit 1, nothing written); skip and replace work', async () => {
    const { env, stateDir, agentDb } = await fixtureHome();
    const doc = await exportAll(env);
    const before = treeState(path.dirname(agentDb));
    const fail = await runCli(['sessions', 'import', '-'], { env, input: doc });
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain(
      'sessions already exist in agent "main": agent:main:fixture-notes, agent:main:main (use --on-conflict skip or replace)',
    );
    expect(treeState(path.dirname(agentDb))).toEqual(before);
    const skip = await runCli(['sessions', 'import', '--on-conflict', 'skip', '-'], { env, input: doc });
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain('skip  agent:main:main (exists)');
    const replace = await runCli(['sessions', 'import', '--on-conflict', 'replace', '-'], { env, input: doc });
    expect(replace.code).toBe(0);
    expect(replace.stdout).toContain('replace  agent:main:main');
    expect(await countRows(agentDb, 'session_nodes')).toBe(2);
    expect(await countRows(agentDb, 'transcript_events')).toBe(20);
    expect(await exportAll(env)).toBe(doc);
    const bad = await runCli(['sessions', 'import', '--on-conflict', 'merge', path.join(stateDir, 'none.json')], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--on-conflict: expected skip, replace or fail, got "merge"');
  });

  it('refuses with exit 4 while the gateway runs on the state, and writes nothing', async () => {
    const { env, stateDir, agentDb, doc } = await exportedThenEmptied();
    const lock = holdGatewayLock(stateDir);
    cleanups.push(lock.release);
    const result = await runCli(['sessions', 'import', '-'], { env, input: doc });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('refusing to import sessions: the OpenClaw gateway is running');
    expect(fs.existsSync(agentDb)).toBe(false);
  });

  const badDocuments: Array<[string, (doc: string) => string, string]> = [
    [
      'wrong version',
      (d) => d.replace('"version": 1', '"version": 2'),
      'document version 2 is not supported; this openclaw-backup reads version 1',
    ],
    ['truncated JSON', (d) => d.slice(0, d.length / 2), 'not valid JSON ('],
    ['not a sessions document', () => '{"format":"openclaw-backup/config","version":1}', 'not an openclaw-backup/sessions document'],
    ['empty input', () => '', 'not valid JSON (empty input)'],
    [
      'a session without events',
      (d) =>
        JSON.stringify({
          ...JSON.parse(d),
          sessions: [{ key: 'k', agentId: 'main', sessionId: 's', windows: [{ sessionId: 's', events: [{ seq: 0 }] }] }],
        }),
      'document.sessions[0].windows[0].events[0]: needs "event" or "eventJson"',
    ],
    [
      'unknown agent',
      (d) => d.replaceAll('"agentId": "main"', '"agentId": "ghost"').replace('"main": {', '"ghost": {'),
      'belong to agent "ghost", which this state does not have (known agents: main); choose one with --agent',
    ],
  ];
  for (const [name, mutate, message] of badDocuments) {
    it(`rejects a bad document (${name}) with exit 2 and writes nothing`, async () => {
      const { env, stateDir, doc } = await exportedThenEmptied();
      const before = treeState(stateDir);
      const result = await runCli(['sessions', 'import', '-'], { env, input: mutate(doc) });
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
      expect(treeState(stateDir)).toEqual(before);
    });
  }

  it('--agent naming an agent this state lacks says so, not that the sessions belong to it (exit 2, nothing written)', async () => {
    const { env, stateDir, doc } = await exportedThenEmptied();
    const before = treeState(stateDir);
    const result = await runCli(['sessions', 'import', '--agent', 'other', '-'], { env, input: doc });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'openclaw-backup: --agent other: this state has no agent "other" (known agents: main); the document\'s sessions are agent "main"\'s\n',
    );
    expect(treeState(stateDir)).toEqual(before);
  });

  it('imports into another agent with --agent, rewriting the key prefix', async () => {
    const { env, stateDir, agentDb } = await fixtureHome();
    const doc = await exportAll(env);
    fs.mkdirSync(path.join(stateDir, 'agents', 'ops'), { recursive: true });
    const result = await runCli(['sessions', 'import', '--agent', 'ops', '-'], { env, input: doc });
    expect(result.code).toBe(0);
    const ops = JSON.parse((await runCli(['sessions', 'export', '--all', '--agent', 'ops'], { env })).stdout);
    expect(ops.sessions.map((s: { key: string }) => s.key)).toEqual(['agent:ops:fixture-notes', 'agent:ops:main']);
    expect(ops.agents.ops.baseRows.schema_meta[0].agent_id).toBe('ops');
    expect(await countRows(agentDb, 'session_nodes')).toBe(2);
  });

  it('dry run reports what would be imported and writes nothing, even while the gateway runs', async () => {
    const { env, stateDir, doc } = await exportedThenEmptied();
    const lock = holdGatewayLock(stateDir);
    cleanups.push(lock.release);
    const before = treeState(stateDir);
    const result = await runCli(['sessions', 'import', '--dry-run', '--json', '-'], { env, input: doc });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).agents[0]).toMatchObject({
      agentId: 'main',
      layout: 'sqlite',
      created: true,
      imported: ['agent:main:fixture-notes', 'agent:main:main'],
    });
    expect(treeState(stateDir)).toEqual(before);
  });
});

describe('sessions export/import on the legacy layout', () => {
  it('round trips sessions.json + transcripts, keeping lines exactly', async () => {
    const { env, stateDir } = await legacyHome();
    const first = await exportAll(env);
    const doc = JSON.parse(first);
    expect(doc.agents).toEqual({ main: { layout: 'legacy' } });
    const main = doc.sessions.find((s: { key: string }) => s.key === 'agent:main:main');
    expect(
      main.windows[0].events.map((e: { event?: unknown; eventJson?: string }) => e.eventJson ?? (e.event as { type: string }).type),
    ).toEqual(['session', 'message', '{"type":"message","id":"m2","message":{"role":"assistant","content":"hi","n":1.50}}']);
    expect(doc.sessions.find((s: { key: string }) => s.key === 'agent:main:notes').windows[0].file).toBe('sess-2-topic-1.jsonl');
    const sessionsDir = path.join(stateDir, 'agents', 'main', 'sessions');
    const original = fs.readFileSync(path.join(sessionsDir, 'sess-1.jsonl'), 'utf8');
    fs.rmSync(sessionsDir, { recursive: true });
    const imported = await runCli(['sessions', 'import', '-'], { env, input: first });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(fs.readFileSync(path.join(sessionsDir, 'sess-1.jsonl'), 'utf8')).toBe(original);
    expect(await exportAll(env)).toBe(first);
    const again = await runCli(['sessions', 'import', '-'], { env, input: first });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('sessions already exist in agent "main": agent:main:main, agent:main:notes');
  });

  it('refuses to mix layouts: legacy sessions into a SQLite store', async () => {
    const legacy = await legacyHome();
    const doc = await exportAll(legacy.env);
    const { env, stateDir } = await fixtureHome();
    const before = treeState(stateDir);
    const result = await runCli(['sessions', 'import', '-'], { env, input: doc });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'agent "main" keeps sessions in the sqlite layout but the document\'s sessions come from a legacy store',
    );
    expect(treeState(stateDir)).toEqual(before);
  });
});
