import fs from 'node:fs';
import path from 'node:path';
import { KEY_NEEDED } from '../../src/core/crypto/keys.js';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli } from '../helpers/age.js';
import { NATIVE_FIXTURE, writeTree } from '../helpers/fixture.js';
import { fixtureHome, holdGatewayLock, legacyHome, removeTempHomes, treeState } from '../helpers/migrate.js';
import { addSessionAfterBackup, cliExpect, deleteSession, eventCounts, exportedSession, leftReadDirs } from '../helpers/sessions.js';

const NOTES = 'agent:main:fixture-notes';
const MAIN = 'agent:main:main';
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  removeTempHomes();
  expect(leftReadDirs()).toEqual([]);
});

/** The real fixture under a temp HOME, with one archive of ours made of it (returned by path). */
async function backedUpFixture(extra: string[] = []) {
  const fixture = await fixtureHome();
  const created = await cliExpect(['create', '--json', ...extra], fixture.env);
  return { ...fixture, archive: (JSON.parse(created.stdout) as { archive: string }).archive };
}

const keysOf = (stdout: string) => (JSON.parse(stdout) as Array<{ key: string }>).map((s) => s.key).sort();

describe('sessions from an archive of ours', () => {
  it('a session deleted after the backup comes back with all its events; one created after the backup stays', async () => {
    const { env, stateDir, agentDb, archive } = await backedUpFixture();
    const notesBefore = await exportedSession(env, NOTES);
    const mainBefore = await exportedSession(env, MAIN);
    deleteSession(agentDb, NOTES);
    await addSessionAfterBackup(env, 'agent:main:later', '0b7a1c3e-1111-4c8e-9d2a-5f0e6a7b8c9d');
    const laterBefore = await exportedSession(env, 'agent:main:later');

    // Reading the backup leaves the live state as it was.
    const live = treeState(stateDir);
    const listed = await cliExpect(['sessions', 'list', '--from', 'latest', '--json'], env);
    expect(keysOf(listed.stdout)).toEqual([NOTES, MAIN]);
    expect(treeState(stateDir)).toEqual(live);

    const restored = await cliExpect(['sessions', 'restore', NOTES, '--from', 'latest'], env);
    expect(restored.stdout).toContain(`From ${archive} (made `);
    expect(restored.stdout).toContain(`added  ${NOTES} (10 transcript events)`);
    expect(await exportedSession(env, NOTES)).toBe(notesBefore);
    expect(await exportedSession(env, 'agent:main:later')).toBe(laterBefore);
    expect(await exportedSession(env, MAIN)).toBe(mainBefore);
    expect(eventCounts(agentDb)).toEqual({ [NOTES]: 10, 'agent:main:later': 10, [MAIN]: 10 });

    // The same session again is a conflict: exit 1, nothing written, and the way out named.
    const again = treeState(stateDir);
    const conflict = await cliExpect(['sessions', 'restore', NOTES, '--from', archive], env, 1);
    expect(conflict.stderr).toContain(
      `sessions already exist in agent "main": ${NOTES} (use --on-conflict skip or replace, or --as NEW_KEY to keep both)`,
    );
    expect(treeState(stateDir)).toEqual(again);
    const skipped = await cliExpect(['sessions', 'restore', NOTES, '--from', archive, '--on-conflict', 'skip', '--json'], env);
    expect(JSON.parse(skipped.stdout).sessions).toEqual([
      { key: NOTES, restoredAs: NOTES, agentId: 'main', action: 'skipped', events: 10, layout: 'sqlite', newStore: false },
    ]);
    expect(treeState(stateDir)).toEqual(again);
  });

  it('--as keeps both versions: the garbled live session and the backup one under a new key, with fresh ids', async () => {
    const { env, agentDb, archive } = await backedUpFixture();
    const original = JSON.parse(await exportedSession(env, MAIN)).sessions[0];
    const db = new (await import('node:sqlite')).DatabaseSync(agentDb);
    db.exec('PRAGMA foreign_keys = ON');
    db.prepare('DELETE FROM transcript_events WHERE session_id = ? AND seq >= 4').run(original.sessionId);
    db.close();
    const garbled = await exportedSession(env, MAIN);

    const restored = await cliExpect(['sessions', 'restore', MAIN, '--from', archive, '--as', 'main-before'], env);
    expect(restored.stdout).toContain(`added  ${MAIN} as agent:main:main-before (10 transcript events)`);
    expect(await exportedSession(env, MAIN)).toBe(garbled);
    expect(eventCounts(agentDb)).toEqual({ [NOTES]: 10, [MAIN]: 4, 'agent:main:main-before': 10 });

    const copy = JSON.parse(await exportedSession(env, 'agent:main:main-before')).sessions[0];
    expect(copy.sessionId).not.toBe(original.sessionId);
    expect(copy.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(copy.entry.sessionId).toBe(copy.sessionId);
    expect(copy.rows.session_nodes[0]).toMatchObject({ session_key: 'agent:main:main-before', current_session_id: copy.sessionId });
    const events = copy.windows[0].events;
    // Every event is the backup's, in order; the first still names its own session, now the copy's id.
    expect(events.map((e: { event: { type: string } }) => e.event.type)).toEqual(
      original.windows[0].events.map((e: { event: { type: string } }) => e.event.type),
    );
    expect(events[0].event.id).toBe(copy.sessionId);
    expect(JSON.stringify(copy)).not.toContain(original.sessionId);
    expect(JSON.stringify(copy.rows)).not.toContain('"agent:main:main"');

    // --as takes one key, stays in the agent, and a taken key is a conflict.
    expect((await cliExpect(['sessions', 'restore', MAIN, NOTES, '--from', archive, '--as', 'x'], env, 2)).stderr).toContain(
      '--as renames one session: name exactly one key',
    );
    expect((await cliExpect(['sessions', 'restore', MAIN, '--from', archive, '--as', 'agent:ops:x'], env, 2)).stderr).toContain(
      'the new key must stay in agent "main"',
    );
    expect((await cliExpect(['sessions', 'restore', MAIN, '--from', archive, '--as', 'main-before'], env, 1)).stderr).toContain(
      'sessions already exist in agent "main": agent:main:main-before',
    );
  });

  it('--dry-run reads the backup, says what it would do and writes nothing, even while the gateway runs', async () => {
    const { env, stateDir, agentDb, archive } = await backedUpFixture();
    deleteSession(agentDb, NOTES);
    const lock = holdGatewayLock(stateDir);
    cleanups.push(lock.release);
    const before = treeState(stateDir);
    const dry = await cliExpect(['sessions', 'restore', NOTES, MAIN, '--from', archive, '--dry-run', '--on-conflict', 'skip'], env);
    expect(dry.stdout).toContain('Dry run: nothing written.');
    expect(dry.stdout).toContain(`would add   ${NOTES} (10 transcript events)`);
    expect(dry.stdout).toContain(`would skip  ${MAIN} (already here;`);
    expect(treeState(stateDir)).toEqual(before);

    const refused = await cliExpect(['sessions', 'restore', NOTES, '--from', archive], env, 4);
    expect(refused.stderr).toContain('refusing to restore sessions: the OpenClaw gateway is running');
    expect(treeState(stateDir)).toEqual(before);
    expect(eventCounts(agentDb)).toEqual({ [MAIN]: 10 });
  });

  it('a key the backup does not hold is exit 1 listing the keys it holds; export --from gives the document', async () => {
    const { env, stateDir, archive } = await backedUpFixture();
    const before = treeState(stateDir);
    for (const command of [
      ['sessions', 'restore', 'agent:main:nope', '--from', archive],
      ['sessions', 'export', 'agent:main:nope', '--from', archive],
    ]) {
      const missing = await cliExpect(command, env, 1);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toContain(`unknown session key "agent:main:nope" in ${archive} (agent main); known keys: ${NOTES}, ${MAIN}`);
    }
    expect(treeState(stateDir)).toEqual(before);
    const exported = await cliExpect(['sessions', 'export', NOTES, '--from', archive], env);
    expect(exported.stdout).toBe(await exportedSession(env, NOTES));
    const all = JSON.parse((await cliExpect(['sessions', 'export', '--all', '--from', 'latest'], env)).stdout);
    expect(all.sessions.map((s: { key: string }) => s.key)).toEqual([NOTES, MAIN]);

    expect((await cliExpect(['sessions', 'list', '--from', 'no-such-backup'], env, 2)).stderr).toContain(
      'no backup matches "no-such-backup"',
    );
    expect((await cliExpect(['sessions', 'list', '--identity', '/nowhere'], env, 2)).stderr).toContain(
      '--identity: only with --from BACKUP',
    );
    expect((await cliExpect(['sessions', 'restore', NOTES], env, 2)).stderr).toContain("required option '--from <backup>'");
  });

  it('a backup that fails its checks is exit 3 and nothing is written', async () => {
    const { env, stateDir, agentDb, archive } = await backedUpFixture(['--compress', 'none']);
    deleteSession(agentDb, NOTES);
    // Flip one byte of the agent database inside the uncompressed tar: its hash and its pages no longer check out.
    const bytes = fs.readFileSync(archive);
    const at = bytes.indexOf(Buffer.from('SQLite format 3\0'), bytes.indexOf(Buffer.from('agents/main/agent/openclaw-agent.sqlite')));
    expect(at).toBeGreaterThan(0);
    bytes[at + 4096 + 100] = (bytes[at + 4096 + 100] ?? 0) ^ 0xff;
    fs.writeFileSync(archive, bytes);
    const before = treeState(stateDir);
    const damaged = await cliExpect(['sessions', 'restore', NOTES, '--from', archive], env, 3);
    expect(damaged.stderr).toMatch(
      /^openclaw-backup: openclaw-backup\/state\/agents\/main\/agent\/openclaw-agent\.sqlite: (database failed integrity_check|SHA-256 does not match)/,
    );
    expect(treeState(stateDir)).toEqual(before);
  });

  it('an archive file is checked whole, as verify does: a flipped byte in a file sessions does not read is exit 3 too', async () => {
    const { env, stateDir, agentDb, archive } = await backedUpFixture(['--compress', 'none']);
    deleteSession(agentDb, NOTES);
    const bytes = fs.readFileSync(archive);
    // The ustar header of workspace/MEMORY.md (its name field NUL-ended), then its first content byte.
    const header = bytes.indexOf(Buffer.from('openclaw-backup/state/workspace/MEMORY.md\0'));
    expect(header % 512).toBe(0);
    bytes[header + 512] = (bytes[header + 512] ?? 0) ^ 0xff;
    fs.writeFileSync(archive, bytes);
    const before = treeState(stateDir);
    const damaged = await cliExpect(['sessions', 'restore', NOTES, '--from', archive], env, 3);
    expect(damaged.stderr).toMatch(/^openclaw-backup: openclaw-backup\/state\/workspace\/MEMORY\.md: SHA-256 does not match/);
    expect(treeState(stateDir)).toEqual(before);
  });
});

describe('sessions from encrypted, native, hand-made and legacy backups', () => {
  it('an encrypted archive without a key is a usage error (exit 2) naming --identity; with the key it restores', async () => {
    requireAgeCli();
    const fixture = await fixtureHome();
    const key = generateAgeKey(fixture.home);
    const { env, agentDb, stateDir } = fixture;
    const created = await cliExpect(['create', '--encrypt-to', key.recipient, '--json'], env);
    const archive = (JSON.parse(created.stdout) as { archive: string }).archive;
    expect(archive).toMatch(/\.age$/);
    const notesBefore = await exportedSession(env, NOTES);
    deleteSession(agentDb, NOTES);
    const before = treeState(stateDir);
    for (const ref of [archive, 'latest']) {
      for (const command of [
        ['sessions', 'list', '--from', ref],
        ['sessions', 'restore', NOTES, '--from', ref],
      ]) {
        const refused = await cliExpect(command, env, 2);
        expect(refused.stderr).toBe(`openclaw-backup: ${archive}: ${KEY_NEEDED}\n`);
      }
    }
    expect(treeState(stateDir)).toEqual(before);
    const listed = await cliExpect(['sessions', 'list', '--from', 'latest', '--identity', key.identityFile, '--json'], env);
    expect(keysOf(listed.stdout)).toEqual([NOTES, MAIN]);
    await cliExpect(['sessions', 'restore', NOTES, '--from', archive], { ...env, OPENCLAW_BACKUP_IDENTITY: key.identityFile });
    expect(await exportedSession(env, NOTES)).toBe(notesBefore);
  });

  it("reads OpenClaw's own archive and a hand-made tar of ~/.openclaw", async () => {
    const { env, home } = await fixtureHome();
    const native = await cliExpect(['sessions', 'list', '--from', NATIVE_FIXTURE, '--json'], env);
    expect(JSON.parse(native.stdout)).toEqual(JSON.parse((await cliExpect(['sessions', 'list', '--json'], env)).stdout));
    const handMade = path.join(home, 'hand-made.tar.gz');
    await import('node:child_process').then(({ execFileSync }) => execFileSync('tar', ['-C', home, '-czf', handMade, '.openclaw']));
    const doc = await cliExpect(['sessions', 'export', NOTES, '--from', handMade], env);
    expect(doc.stdout).toBe(await exportedSession(env, NOTES));
  });

  it('reads an agent dir that lived outside the state dir (its own root in the archive) and restores into it', async () => {
    const { env, home, stateDir, agentDb } = await fixtureHome();
    const agentDir = path.join(home, 'agents-elsewhere', 'main');
    fs.mkdirSync(path.dirname(agentDir), { recursive: true });
    fs.renameSync(path.dirname(agentDb), agentDir);
    const configPath = path.join(stateDir, 'openclaw.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    config.agents.entries.main.agentDir = agentDir;
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    const movedDb = path.join(agentDir, 'openclaw-agent.sqlite');
    const notesBefore = await exportedSession(env, NOTES);
    const created = JSON.parse((await cliExpect(['create', '--json'], env)).stdout) as { archive: string };
    const { execFileSync } = await import('node:child_process');
    const header = JSON.parse(execFileSync('tar', ['-xzOf', created.archive, 'openclaw-backup/header.json'], { encoding: 'utf8' }));
    expect(header.roots).toContainEqual(expect.objectContaining({ role: 'agentDir', agentId: 'main', path: agentDir }));
    deleteSession(movedDb, NOTES);
    expect(keysOf((await cliExpect(['sessions', 'list', '--from', 'latest', '--json'], env)).stdout)).toEqual([NOTES, MAIN]);
    await cliExpect(['sessions', 'restore', NOTES, '--from', 'latest'], env);
    expect(await exportedSession(env, NOTES)).toBe(notesBefore);
    expect(eventCounts(movedDb)).toEqual({ [NOTES]: 10, [MAIN]: 10 });
    expect(fs.existsSync(agentDb)).toBe(false);
  });

  it('brings back a legacy-layout session (sessions.json + its JSONL transcript), line for line', async () => {
    const { env, stateDir } = await legacyHome();
    const sessionsDir = path.join(stateDir, 'agents', 'main', 'sessions');
    const transcript = fs.readFileSync(path.join(sessionsDir, 'sess-1.jsonl'), 'utf8');
    await cliExpect(['create'], env);
    // After the backup, agent:main:main is deleted and a new session appears.
    const index = JSON.parse(fs.readFileSync(path.join(sessionsDir, 'sessions.json'), 'utf8'));
    delete index['agent:main:main'];
    index['agent:main:new'] = { sessionId: 'sess-3', updatedAt: 1700000002000 };
    writeTree(sessionsDir, { 'sessions.json': JSON.stringify(index), 'sess-3.jsonl': '{"type":"session","id":"sess-3"}\n' });
    fs.rmSync(path.join(sessionsDir, 'sess-1.jsonl'));

    const restored = await cliExpect(['sessions', 'restore', 'agent:main:main', '--from', 'latest'], env);
    expect(restored.stdout).toContain('added  agent:main:main (3 transcript events)');
    expect(fs.readFileSync(path.join(sessionsDir, 'sess-1.jsonl'), 'utf8')).toBe(transcript);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(sessionsDir, 'sessions.json'), 'utf8'))).sort()).toEqual([
      'agent:main:main',
      'agent:main:new',
      'agent:main:notes',
    ]);
    expect((await cliExpect(['sessions', 'restore', 'agent:main:notes', '--from', 'latest', '--as', 'n2'], env, 2)).stderr).toContain(
      "--as renames sessions of OpenClaw's SQLite store only",
    );
  });
});
