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
    db.exec('UPDATE transcript_events SET seq = seq WHERE rowid = (SELECT min(rowid) FROM transcript_events)');
    const before = (await dryRun()).changes.changed;
    expect(before).toEqual([]);
    db.exec('DELETE FROM transcript_events WHERE rowid = (SELECT max(rowid) FROM transcript_events)');
    db.close();
    expect((await dryRun()).changes.changed).toEqual([file]);
  });
});

describe("create, info and restore count an archive's files the same way", () => {
  it('files apart from symlinks, in the JSON and the text of all three', async () => {
    const home = makeTempDir('ocb-counts-');
    unpackFixture(home);
    const env = { HOME: home };
    const created = await runCli(['create', '--json'], { env });
    const made = JSON.parse(created.stdout) as { files: number; symlinks: number };
    const info = JSON.parse((await runCli(['info', 'latest', '--json'], { env })).stdout) as { files: number; symlinks: number };
    const plan = JSON.parse((await runCli(['restore', 'latest', '--dry-run', '--json'], { env })).stdout) as DryRun;
    expect(made.symlinks).toBeGreaterThan(0);
    expect({ files: info.files, symlinks: info.symlinks }).toEqual({ files: made.files, symlinks: made.symlinks });
    expect({ files: plan.files, symlinks: plan.symlinks }).toEqual({ files: made.files, symlinks: made.symlinks });
    const said = `${made.files} files, ${made.symlinks} symlinks`;
    expect((await runCli(['create'], { env })).stdout).toContain(`${made.files} files (3 database snapshots), ${made.symlinks} symlinks`);
    expect((await runCli(['restore', 'latest', '--dry-run'], { env })).stdout).toContain(`of ${said}:`);
    const restored = await runCli(['restore', 'latest', '--yes'], { env });
    expect(restored.stdout).toContain(`: ${said} into `);
  });
});
