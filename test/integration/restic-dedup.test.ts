import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyNightlyChange, generateSizedState } from '../../bench/history-state.mjs';
import { makeTempDir } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { dirBytes, writePasswordFile } from '../helpers/restic.js';

let home: string;
let stateDir: string;
let repo: string;

beforeAll(() => {
  home = makeTempDir('ocb-restic-dedup-');
  stateDir = path.join(home, '.openclaw');
  // ≥ 100 MB: restic's chunks average 1 MiB, so on the 2 MB fixture any edit touches most of them.
  generateSizedState(stateDir, 110e6, 13);
  repo = path.join(home, 'repo');
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = fs
    .readFileSync(configPath, 'utf8')
    .replace(
      /config: \{ auto: true[^}]*\}/,
      `config: { repository: { url: ${JSON.stringify(repo)}, passwordFile: ${JSON.stringify(writePasswordFile(home))} } }`,
    );
  fs.writeFileSync(configPath, config, { mode: 0o600 });
}, 300_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

// Each case runs several real restic commands: a loaded machine can take minutes, a quiet one seconds.
describe('restic repository: deduplication on a 110 MB state', { timeout: 300_000 }, () => {
  it('the second backup after a night of change adds < 5% of the first one', async () => {
    const env = { HOME: home };
    const first = await callCli(['create', '--init', '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    const firstArchive = JSON.parse(first.stdout) as { bytes: number; contentBytes: number };
    expect(firstArchive.contentBytes).toBeGreaterThan(100e6);
    const afterFirst = dirBytes(repo);

    expect(applyNightlyChange(stateDir, 1)).toBeGreaterThan(100_000);
    const second = await callCli(['create', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    const added = dirBytes(repo) - afterFirst;
    expect(added).toBeGreaterThan(0);
    expect(added / afterFirst).toBeLessThan(0.05);

    const verify = await callCli(['verify', 'latest', '--json'], { env });
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, hashesChecked: true });
  }, 900_000);
});
