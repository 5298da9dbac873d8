import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { makeTempDir } from '../helpers/fixture.js';
import { startProcess, type RunningProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { readArchiveHeader, restoreCopy } from './helpers/archives.js';
import { describeRun, runCli } from './helpers/cli.js';
import { checkAppendLog, checkRewrittenFile, readJournal } from './helpers/journal.js';
import { createTally } from './helpers/summary.js';
import { unpackRealState } from './helpers/state.js';

/**
 * Scenario 2: backups while a writer commits to a WAL database and writes workspace files. Every archive verifies,
 * every restored database passes integrity_check and holds every row committed before the snapshot began, and no
 * restored file is torn.
 */
const BACKUPS = Number(process.env.RELIABILITY_BACKUPS ?? 20);
const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'live-writer.ts');
const DB_REL = 'agents/main/agent/openclaw-agent.sqlite';
const tally = createTally('live-writers');

let home: string;
let stateDir: string;
let journal: string;
let writer: RunningProcess | undefined;

function startWriter(): RunningProcess {
  const running = startProcess(process.execPath, [WRITER, path.join(stateDir, DB_REL), path.join(stateDir, 'workspace'), journal], {
    env: process.env,
    timeoutMs: 30 * 60_000,
  });
  running.child.stderr?.on('data', (d) => process.stderr.write(`[writer] ${d}`));
  return running;
}

/** Row ids in the restored database; integrity_check must pass first. */
function restoredIds(file: string): Set<number> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const check = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
    expect(check[0]?.integrity_check, `${file}: integrity_check`).toBe('ok');
    return new Set((db.prepare('SELECT id FROM reliability_events').all() as Array<{ id: number }>).map((r) => Number(r.id)));
  } finally {
    db.close();
  }
}

describe('live writers: backups while the gateway writes', () => {
  beforeAll(() => {
    home = makeTempDir('ocb-rel-live-');
    stateDir = unpackRealState(home);
    journal = path.join(home, 'writer-journal.txt');
    fs.writeFileSync(journal, '');
    // The table exists in the main database file before the writer starts, so a backup that misses the -wal
    // shows up as missing rows rather than a missing table.
    const db = new DatabaseSync(path.join(stateDir, DB_REL));
    db.exec('CREATE TABLE IF NOT EXISTS reliability_events (id INTEGER PRIMARY KEY, body TEXT NOT NULL, digest TEXT NOT NULL)');
    db.close();
  });

  afterAll(async () => {
    if (writer && writer.child.exitCode === null) {
      writer.child.kill('SIGKILL');
      await writer.done;
    }
    tally.record();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it(`${BACKUPS} backups each hold every row committed before their snapshot and no torn file`, async () => {
    writer = startWriter();
    await waitFor(() => readJournal(journal).length > 50, { what: 'the writer to commit' });
    for (let i = 0; i < BACKUPS; i += 1) {
      const args = ['create', '--json'];
      const result = await runCli(args, { env: { HOME: home }, timeoutMs: 120_000 });
      expect(result.code, describeRun(args, result)).toBe(0);
      const archive = (JSON.parse(result.stdout) as { archive: string }).archive;
      tally.counts.cases += 1;

      const report = await verifyArchive(archive);
      expect(report.ok, `${archive}: ${JSON.stringify(report.problems.slice(0, 3))}`).toBe(true);
      tally.counts.archives += 1;

      // header.createdAt is taken before the snapshot phase starts: every commit journaled before it must be there.
      const snapshotStart = Date.parse(readArchiveHeader(archive).createdAt);
      const required = readJournal(journal).filter((c) => c.at < snapshotStart);
      expect(required.length, 'commits before the snapshot').toBeGreaterThan(0);
      const dest = path.join(home, `restored-${i}`);
      await restoreCopy(archive, dest, { env: { HOME: home } });
      const restoredState = dest;
      const ids = restoredIds(path.join(restoredState, DB_REL));
      let rows = 0;
      for (const commit of required) {
        for (let id = commit.first; id <= commit.last; id += 1) {
          if (!ids.has(id))
            throw new Error(`backup ${i}: row ${id}, committed at ${commit.at} before the snapshot began at ${snapshotStart}, is missing`);
          rows += 1;
        }
      }
      tally.counts.rows += rows;
      expect(
        checkAppendLog(fs.readFileSync(path.join(restoredState, 'workspace/memory/live-log.md'), 'utf8')),
        `backup ${i}: live-log.md`,
      ).toEqual([]);
      expect(
        checkRewrittenFile(fs.readFileSync(path.join(restoredState, 'workspace/live-state.json'), 'utf8')),
        `backup ${i}: live-state.json`,
      ).toEqual([]);
      fs.rmSync(dest, { recursive: true, force: true });
    }
    writer.child.kill('SIGTERM');
    expect((await writer.done).code, 'the writer itself must not fail').toBe(0);
    console.log(
      `[live-writers] ${BACKUPS} backups, ${tally.counts.rows} committed rows found in their snapshots, ${readJournal(journal).length} transactions written`,
    );
  });
});
