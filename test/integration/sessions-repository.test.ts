import fs from 'node:fs';
import path from 'node:path';
import { KEY_NEEDED } from '../../src/core/crypto/keys.js';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli } from '../helpers/age.js';
import { fixtureHome, holdGatewayLock, removeTempHomes, treeState } from '../helpers/migrate.js';
import { writePasswordFile } from '../helpers/restic.js';
import { addSessionAfterBackup, cliExpect, deleteSession, eventCounts, exportedSession, leftReadDirs } from '../helpers/sessions.js';

const NOTES = 'agent:main:fixture-notes';
const MAIN = 'agent:main:main';
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  removeTempHomes();
  expect(leftReadDirs()).toEqual([]);
});

/**
 * A `restic` first on PATH that logs its arguments and runs the real one: what the CLI asked restic to restore is
 * then on record (the real restic does the work).
 */
function recordResticCalls(home: string): { env: NodeJS.ProcessEnv; restores: () => string[][] } {
  const bin = path.join(home, 'recording-bin');
  const log = path.join(home, 'restic-calls.jsonl');
  const real = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => path.join(dir, 'restic'))
    .find((file) => fs.existsSync(file));
  if (!real) throw new Error('restic is not installed (scripts/setup.sh installs it)');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'restic'),
    `#!/usr/bin/env node\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
      `const r = require('node:child_process').spawnSync(${JSON.stringify(real)}, process.argv.slice(2), { stdio: 'inherit' });\n` +
      `process.exit(r.status ?? 1);\n`,
    { mode: 0o755 },
  );
  const calls = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[])
      : [];
  return {
    env: { PATH: `${bin}:${process.env.PATH}` },
    restores: () => calls().filter((args) => args[0] === 'restore'),
  };
}

/** The fixture with a local restic repository configured by flag (the password in a 0600 file). */
async function repositoryFixture() {
  const fixture = await fixtureHome();
  const repo = path.join(fixture.home, 'repo');
  const password = writePasswordFile(fixture.home);
  const recorder = recordResticCalls(fixture.home);
  const flags = ['--repository', repo, '--repository-password-file', password];
  const env = { ...fixture.env, ...recorder.env };
  const snapshot = async (init = false) =>
    (JSON.parse((await cliExpect(['create', ...(init ? ['--init'] : []), ...flags, '--json'], env)).stdout) as { archive: string }).archive;
  return { ...fixture, env, flags, repo, snapshot, restores: recorder.restores };
}

describe('sessions from a restic repository snapshot (real restic, local repository)', { timeout: 300_000 }, () => {
  it('restores a deleted session from a snapshot, reading only the documents and the agent database', async () => {
    const { env, flags, agentDb, stateDir, snapshot, restores } = await repositoryFixture();
    const first = await snapshot(true);
    const notesBefore = await exportedSession(env, NOTES);
    deleteSession(agentDb, NOTES);
    await addSessionAfterBackup(env, 'agent:main:later', '6f1d2c3b-2222-4a5b-8c7d-9e0f1a2b3c4d');
    const laterBefore = await exportedSession(env, 'agent:main:later');
    const second = await snapshot();
    expect(second).not.toBe(first);

    const live = treeState(stateDir);
    const listed = await cliExpect(['sessions', 'list', '--from', first, ...flags, '--json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ key: string }>).map((s) => s.key).sort()).toEqual([NOTES, MAIN]);
    expect(treeState(stateDir)).toEqual(live);
    // restic restored the meta dir's documents, then the one database snapshot: never the whole snapshot.
    const reads = restores();
    expect(reads).toHaveLength(2);
    const includes = (args: string[]) => args.filter((_, i) => args[i - 1] === '--include');
    expect(includes(reads[0]!).map((p) => path.basename(p))).toEqual(['header.json', 'manifest.json', 'entries']);
    expect(includes(reads[1]!)).toHaveLength(1);
    expect(includes(reads[1]!)[0]).toMatch(/\/files\/openclaw-backup\/state\/agents\/main\/agent\/openclaw-agent\.sqlite$/);

    const dry = await cliExpect(['sessions', 'restore', NOTES, '--from', first, ...flags, '--dry-run'], env);
    expect(dry.stdout).toContain(`would add  ${NOTES} (10 transcript events)`);
    expect(treeState(stateDir)).toEqual(live);

    const restored = await cliExpect(['sessions', 'restore', NOTES, '--from', first, ...flags], env);
    expect(restored.stdout).toMatch(
      new RegExp(`^From snapshot ${first} in .*repo \\(made .*\\):\\n  added  ${NOTES} \\(10 transcript events\\)\\n$`),
    );
    expect(await exportedSession(env, NOTES)).toBe(notesBefore);
    expect(await exportedSession(env, 'agent:main:later')).toBe(laterBefore);

    await cliExpect(['sessions', 'restore', MAIN, '--from', first, ...flags, '--as', 'main-snapshot'], env);
    expect(eventCounts(agentDb)).toEqual({ [NOTES]: 10, 'agent:main:later': 10, [MAIN]: 10, 'agent:main:main-snapshot': 10 });

    const missing = await cliExpect(['sessions', 'restore', 'agent:main:later', '--from', first, ...flags], env, 1);
    expect(missing.stderr).toContain(`unknown session key "agent:main:later" in snapshot ${first} in `);
    expect(missing.stderr).toContain(`(agent main); known keys: ${NOTES}, ${MAIN}`);

    const lock = holdGatewayLock(stateDir);
    cleanups.push(lock.release);
    const reads0 = restores().length;
    expect(
      (await cliExpect(['sessions', 'restore', NOTES, '--from', first, ...flags, '--on-conflict', 'replace'], env, 4)).stderr,
    ).toContain('refusing to restore sessions: the OpenClaw gateway is running');
    // Refused before the snapshot was read.
    expect(restores()).toHaveLength(reads0);
  });

  it('history lists the snapshots holding a session with its events, newest first, within --limit', async () => {
    const { env, flags, agentDb, snapshot } = await repositoryFixture();
    const first = await snapshot(true);
    deleteSession(agentDb, NOTES);
    const second = await snapshot();
    const history = JSON.parse((await cliExpect(['sessions', 'history', NOTES, ...flags, '--json'], env)).stdout);
    expect(history).toMatchObject({ key: NOTES, total: 2, read: 2, skipped: [] });
    expect(history.versions.map((v: { archive: string; events: number }) => [v.archive, v.events])).toEqual([[first, 10]]);
    expect(history.absent.map((a: { archive: string }) => a.archive)).toEqual([second]);

    const limited = await cliExpect(['sessions', 'history', NOTES, ...flags, '--limit', '1'], env, 1);
    expect(limited.stdout).toContain(`not in: ${second} (`);
    expect(limited.stdout).toContain('read the newest 1 of 2 backups; --limit 2 reads them all');
    expect(limited.stderr).toContain(`no backup read holds session "${NOTES}" (1 of 2 read); the newest readable one holds: ${MAIN}`);
  });
});

describe('sessions history over archives', () => {
  it('shows each version with its event count, names what could not be read, and fails only when none holds it', async () => {
    requireAgeCli();
    const fixture = await fixtureHome();
    const { env, agentDb } = fixture;
    const key = generateAgeKey(fixture.home);
    await cliExpect(['create'], env);
    const db = new (await import('node:sqlite')).DatabaseSync(agentDb);
    db.exec('PRAGMA foreign_keys = ON');
    db.prepare(
      'DELETE FROM transcript_events WHERE seq >= 6 AND session_id = (SELECT current_session_id FROM session_nodes WHERE session_key = ?)',
    ).run(MAIN);
    db.close();
    await cliExpect(['create'], env);
    await cliExpect(['create', '--encrypt-to', key.recipient], env);
    const listed = JSON.parse((await cliExpect(['list', '--json'], env)).stdout) as Array<{ archive: string; encrypted: boolean }>;
    expect(listed.map((b) => b.encrypted)).toEqual([true, false, false]);
    const backups = listed.map((b) => path.basename(b.archive));

    const text = await cliExpect(['sessions', 'history', MAIN], env);
    const rows = text.stdout.split('\n').filter((line) => line.startsWith('openclaw-backup-default-'));
    expect(rows.map((line) => line.split(/ {2,}/)[0])).toEqual(backups.slice(1));
    expect(rows.map((line) => Number(line.split(/ {2,}/)[2]))).toEqual([6, 10]);
    expect(text.stdout).toMatch(/^agent:main:main in .*backups, newest first:\nBACKUP +MADE +EVENTS +UPDATED +SESSION ID\n/);
    expect(text.stderr).toBe(`note: ${backups[0]} not read: ${KEY_NEEDED}\n`);

    const all = JSON.parse((await cliExpect(['sessions', 'history', MAIN, '--identity', key.identityFile, '--json'], env)).stdout);
    expect(all.versions.map((v: { events: number }) => v.events)).toEqual([6, 6, 10]);
    expect(all.skipped).toEqual([]);

    const onlyEncrypted = await cliExpect(['sessions', 'history', MAIN, '--limit', '1'], env, 2);
    expect(onlyEncrypted.stderr).toContain(`the backups read are ${KEY_NEEDED}`);
    const nowhere = await cliExpect(['sessions', 'history', 'agent:main:nope', '--identity', key.identityFile], env, 1);
    expect(nowhere.stderr).toContain(
      `no backup read holds session "agent:main:nope" (3 of 3 read); the newest readable one holds: ${NOTES}, ${MAIN}`,
    );
    expect((await cliExpect(['sessions', 'history', MAIN, '--limit', '0'], env, 2)).stderr).toContain('--limit: expected a whole number');
  });
});
