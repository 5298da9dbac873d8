import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';
import { finalScreen, runCliInTtyAnswering } from '../helpers/tty.js';

let home: string;
let state: string;
let archive: string;
const env = () => ({ HOME: home });

beforeAll(async () => {
  home = makeTempDir('ocb-confirm-');
  state = unpackFixture(home);
  archive = path.join(home, 'a.tar.gz');
  expect((await runCli(['create', '--output', archive], { env: env() })).code).toBe(0);
}, 120_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** An in-place restore on a terminal says what it will do, then asks; scripts and --yes never ask. */
describe('restore confirmation on a terminal', () => {
  it('shows what will change and what newer files will move, and a "no" changes nothing (exit 1)', async () => {
    fs.writeFileSync(path.join(state, 'workspace', 'memory', 'written-after.md'), 'newer than the archive\n');
    const r = await runCliInTtyAnswering(['restore', archive], env(), 'n');
    expect(r.code, r.stdout).toBe(1);
    const screen = finalScreen(r.stdout).filter(Boolean);
    expect(screen[0]).toMatch(
      new RegExp(`^Dry run: would restore everything from ${archive.replaceAll('.', '\\.')} \\(openclaw-backup archive\\) into ${state}$`),
    );
    expect(screen).toContain(`  remove  ${path.join(state, 'workspace', 'memory', 'written-after.md')}`);
    expect(
      screen.some((l) =>
        /live file changed after the archive was made would go to the rollback copy: workspace\/memory\/written-after\.md/.test(l),
      ),
    ).toBe(true);
    expect(screen.some((l) => l.startsWith(`Restore everything over ${state}? The files it replaces go to a rollback copy. [y/N] n`))).toBe(
      true,
    );
    expect(screen.at(-1)).toBe('openclaw-backup: restore cancelled; nothing was changed');
    expect(fs.readFileSync(path.join(state, 'workspace', 'memory', 'written-after.md'), 'utf8')).toBe('newer than the archive\n');
  });

  it('a "yes" restores, and names the rollback copy that holds the newer file', async () => {
    const r = await runCliInTtyAnswering(['restore', archive, '--only', 'memory'], env(), 'y');
    expect(r.code, r.stdout).toBe(0);
    const screen = finalScreen(r.stdout).filter(Boolean);
    expect(screen.some((l) => l.startsWith('Restored memory from '))).toBe(true);
    expect(screen.some((l) => /^Restoring \[/.test(l))).toBe(false);
  });

  it('without a terminal (a script) it does not ask', async () => {
    const r = await runCli(['restore', archive, '--only', 'memory'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('[y/N]');
  });
});
