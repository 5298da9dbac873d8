import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { countRows, makeTempDir, runCli, writeTree } from '../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A writer that commits rows in WAL mode with checkpoints disabled, then dies by SIGKILL without closing. */
const KILLED_WRITER = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
db.exec('PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)');
const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
for (let i = 0; i < 500; i++) insert.run('row-' + i + '-' + 'x'.repeat(200));
process.kill(process.pid, 'SIGKILL');
`;

describe('create with data only in an un-checkpointed WAL', () => {
  it('archives the rows that are still in the -wal file', async () => {
    const home = makeTempDir();
    dirs.push(home);
    const stateDir = path.join(home, '.openclaw');
    writeTree(stateDir, { 'openclaw.json': '{}', 'agents/main/agent/': null });
    const db = path.join(stateDir, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
    const killed = spawnSync(process.execPath, ['-e', KILLED_WRITER, db]);
    expect(killed.signal).toBe('SIGKILL');
    // The main file has no table yet: every row lives only in the WAL.
    expect(fs.statSync(`${db}-wal`).size).toBeGreaterThan(100_000);
    expect(fs.statSync(db).size).toBeLessThan(8192);

    const result = await runCli(['create', '--json'], { env: { HOME: home } });
    expect(result.code).toBe(0);
    const { archive } = JSON.parse(result.stdout) as { archive: string };
    const out = makeTempDir();
    dirs.push(out);
    execFileSync('tar', ['-C', out, '-xzf', archive]);
    const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' });
    expect(names).not.toMatch(/-wal$|-shm$/m);
    expect(await countRows(path.join(out, 'openclaw-backup/state/agents/main/agent/openclaw-agent.sqlite'), 't')).toBe(500);
  });
});
