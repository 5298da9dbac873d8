import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

let state: string;
let env: NodeJS.ProcessEnv;

interface DryRun {
  changes: { changed: string[]; unchanged: number; added: string[] };
  files: number;
  symlinks: number;
}

beforeAll(async () => {
  const home = makeTempDir('ocb-preview-');
  state = unpackFixture(home);
  env = { HOME: home };
  expect((await runCli(['create'], { env })).code).toBe(0);
}, 120_000);

const dryRun = async (): Promise<DryRun> => {
  const r = await runCli(['restore', 'latest', '--dry-run', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DryRun;
};

describe('restore --dry-run compares databases by content', () => {
  it('a live WAL database whose rows did not change is not "changed"', async () => {
    const plan = await dryRun();
    // The fixture's databases are live WAL files (openclaw.sqlite has uncheckpointed pages): bytes differ, rows do not.
    expect(plan.changes.changed.filter((f) => /\.sqlite$/.test(f))).toEqual([]);
    expect(plan.changes.changed).toEqual([]);
  });

  it('a database with a changed row is', async () => {
    const file = path.join(state, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
    const db = new DatabaseSync(file);
    db.exec("UPDATE transcript_events SET seq = seq WHERE rowid = (SELECT min(rowid) FROM transcript_events)");
    const before = (await dryRun()).changes.changed;
    expect(before).toEqual([]);
    db.exec('DELETE FROM transcript_events WHERE rowid = (SELECT max(rowid) FROM transcript_events)');
    db.close();
    expect((await dryRun()).changes.changed).toEqual([file]);
  });
});
