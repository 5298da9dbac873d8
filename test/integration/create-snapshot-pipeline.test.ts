import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveStatePaths } from '../../src/config/paths.js';
import { createBackup } from '../../src/core/backup/create.js';
import { DatabaseChecker } from '../../src/core/archive/db-check-worker.js';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { BackupError } from '../../src/errors.js';
import { countRows, makeTempDir, writeTree } from '../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

const AGENT_DB = 'agents/main/agent/openclaw-agent.sqlite';
const STATE_DB = 'state/openclaw.sqlite';

/** A database with `rows` rows in the given journal mode; returns an open connection for writing more. */
function database(file: string, journalMode: 'wal' | 'delete', rows: number): DatabaseSync {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(`PRAGMA journal_mode=${journalMode}; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`);
  insertRows(db, rows);
  return db;
}

function insertRows(db: DatabaseSync, rows: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < rows; i += 1) insert.run(`row ${i} ${'x'.repeat(100)}`);
  db.exec('COMMIT');
}

async function stateWithDatabases() {
  const home = tempDir();
  const paths = resolveStatePaths({ env: { HOME: home } });
  writeTree(paths.stateDir, { 'openclaw.json': '{}', 'workspace/notes.md': 'notes\n'.repeat(1000) });
  const agent = database(path.join(paths.stateDir, AGENT_DB), 'wal', 200);
  const state = database(path.join(paths.stateDir, STATE_DB), 'delete', 50);
  const backups = path.join(home, 'backups');
  fs.mkdirSync(backups, { mode: 0o700 });
  return { home, paths, config: await loadConfig(paths), agent, state, backups };
}

const stagingDirsIn = (dir: string) => fs.readdirSync(dir).filter((name) => name.startsWith('.openclaw-backup-staging-'));

describe('database snapshots: pinned in the pause, copied and checked beside the archive stream', () => {
  it("the pause opens a WAL database's read snapshot without copying it; rows committed after the pause are not archived", async () => {
    const fx = await stateWithDatabases();
    const seenInPause: string[][] = [];
    try {
      const result = await createBackup({
        paths: fx.paths,
        config: fx.config,
        output: fx.backups,
        quiesce: {
          run: async (phase) => {
            const held = await phase();
            // The gateway runs again: the staging dir holds the copy of the rollback-journal database (copied in the
            // pause, a long reader there would block its writers) and none of the WAL database (pinned only).
            const [staging] = stagingDirsIn(fx.backups);
            seenInPause.push(fs.readdirSync(path.join(fx.backups, staging as string)));
            // Writers are not blocked by the pinned snapshot, and what they commit now is not in this backup.
            insertRows(fx.agent, 300);
            insertRows(fx.state, 30);
            return held;
          },
          heldMs: () => 0,
        },
      });
      expect(seenInPause).toHaveLength(1);
      expect(seenInPause[0]?.filter((name) => name.endsWith('openclaw.sqlite'))).toHaveLength(1);
      expect(seenInPause[0]?.filter((name) => name.endsWith('openclaw-agent.sqlite'))).toHaveLength(0);

      const out = tempDir();
      execFileSync('tar', ['-C', out, '-xzf', result.archive as string]);
      expect(await countRows(path.join(out, 'openclaw-backup/state', AGENT_DB), 't')).toBe(200);
      expect(await countRows(path.join(out, 'openclaw-backup/state', STATE_DB), 't')).toBe(50);
      expect(await countRows(path.join(fx.paths.stateDir, AGENT_DB), 't')).toBe(500);
      expect(result.databases).toBe(2);
      expect((await verifyArchive(result.archive as string)).ok).toBe(true);
      expect(stagingDirsIn(fx.backups)).toEqual([]);
    } finally {
      fx.agent.close();
      fx.state.close();
    }
  });

  it('a check worker that dies mid-archive fails the backup with a typed error and leaves no archive, partial or staging dir', async () => {
    const fx = await stateWithDatabases();
    fx.agent.close();
    fx.state.close();
    const dying = new DatabaseChecker({ workerSource: `require('node:worker_threads').parentPort.on('message', () => process.exit(9));` });
    const error = await createBackup({ paths: fx.paths, config: fx.config, output: fx.backups, databaseChecker: dying }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).kind).toBe('failure');
    expect((error as Error).message).toMatch(/database check worker exited \(9\)/);
    expect(fs.readdirSync(fx.backups)).toEqual([]);
  });

  it('a backup after such a failure succeeds and archives every database', async () => {
    const fx = await stateWithDatabases();
    fx.agent.close();
    fx.state.close();
    const failing = new DatabaseChecker({
      workerSource: `require('node:worker_threads').parentPort.on('message', () => process.exit(9));`,
    });
    await expect(createBackup({ paths: fx.paths, config: fx.config, output: fx.backups, databaseChecker: failing })).rejects.toThrow();
    const result = await createBackup({ paths: fx.paths, config: fx.config, output: fx.backups });
    expect(result.databases).toBe(2);
    expect((await verifyArchive(result.archive as string)).ok).toBe(true);
  });
});
