import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, unpackFixture, writeTree } from '../helpers/fixture.js';
import { writePasswordFile } from '../helpers/restic.js';
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

/** restic on PATH, for a shim that logs each call's argv (one line, tab-separated) and runs the real one. */
function resticShim(dir: string, log: string): string {
  const real = (process.env.PATH ?? '')
    .split(':')
    .map((p) => path.join(p, 'restic'))
    .find((candidate) => fs.existsSync(candidate));
  if (!real) throw new Error('restic not on PATH');
  writeTree(dir, { restic: `#!/bin/sh\nprintf '%s\\t' "$@" >> '${log}'\nprintf '\\n' >> '${log}'\nexec ${real} "$@"\n` });
  fs.chmodSync(path.join(dir, 'restic'), 0o755);
  return dir;
}

describe('restore confirmation from a repository', () => {
  it('reads the snapshot once: the preview and the restore share one restic restore', async () => {
    const repoHome = makeTempDir('ocb-confirm-repo-');
    const repoState = unpackFixture(repoHome);
    const repo = path.join(repoHome, 'repo');
    const passwordFile = writePasswordFile(repoHome);
    const configPath = path.join(repoState, 'openclaw.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
    config.plugins.entries['openclaw-backup'] = { config: { repository: { url: repo, passwordFile } } };
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
    const repoEnv = { HOME: repoHome };
    const made = await runCli(['create', '--init'], { env: repoEnv, timeoutMs: 300_000 });
    expect(made.code, made.stderr).toBe(0);
    fs.writeFileSync(path.join(repoState, 'workspace', 'memory', 'written-after.md'), 'newer than the snapshot\n');

    const log = path.join(repoHome, 'restic-calls.log');
    const shim = resticShim(path.join(repoHome, 'shim'), log);
    const r = await runCliInTtyAnswering(['restore', 'latest'], { ...repoEnv, PATH: `${shim}:${process.env.PATH}` }, 'y');
    expect(r.code, r.stdout).toBe(0);
    const screen = finalScreen(r.stdout).filter(Boolean);
    expect(screen[0]).toMatch(/^Dry run: would restore everything from snapshot [0-9a-f]{8} in .* into /);
    expect(screen).toContain(`  remove  ${path.join(repoState, 'workspace', 'memory', 'written-after.md')}`);
    expect(
      screen.some((l) => l.startsWith(`Restore everything over ${repoState}? The files it replaces go to a rollback copy. [y/N] y`)),
    ).toBe(true);
    expect(screen.some((l) => l.startsWith('Restored everything from snapshot '))).toBe(true);
    expect(fs.existsSync(path.join(repoState, 'workspace', 'memory', 'written-after.md'))).toBe(false);
    const calls = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
    const reads = calls.filter((argv) => argv.includes('restore') || argv.includes('dump'));
    expect(reads, calls.map((argv) => argv.join(' ')).join('\n')).toHaveLength(1);
  }, 300_000);
});
