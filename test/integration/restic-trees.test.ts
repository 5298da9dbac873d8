import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 25: restic reads the source trees itself. A workspace outside the state dir (or a symlink to one) is a tree
 * of its own in the snapshot; a night's change costs what changed; nothing keeps a copy of the state; a file that
 * changes between our hashing and restic's read is reported as such, never as damage.
 */
let home: string;
let stateDir: string;
let repo: string;
let passwordFile: string;
let call: ResticCall;

interface FixtureConfig {
  agents: { defaults: { workspace: string }; entries: { main: { workspace: string; agentDir: string } } };
  plugins: { entries: Record<string, unknown> };
}

function editConfig(edit: (config: FixtureConfig) => void): void {
  const file = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureConfig;
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

/** Points the main agent's workspace at `workspace` and sets our block. */
function useWorkspace(workspace: string, block: Record<string, unknown> = {}): void {
  editConfig((config) => {
    config.agents.defaults.workspace = workspace;
    config.agents.entries.main.workspace = workspace;
    config.agents.entries.main.agentDir = path.join(stateDir, 'agents/main/agent');
    config.plugins.entries['openclaw-backup'] = { config: { repository: { url: repo, passwordFile }, ...block } };
  });
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => callCli(args, { env: { HOME: home, ...env } });

/** The JSON log lines `--log-level debug` wrote, by message. */
function debugLines(stderr: string, msg: string): Record<string, number>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg) as Record<string, number>[];
}

beforeEach(() => {
  home = makeTempDir('ocb-restic-trees-');
  stateDir = unpackFixture(home);
  repo = path.join(home, 'repo');
  passwordFile = writePasswordFile(home);
  call = { repo, passwordFile };
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

// Each case runs several real restic commands: a loaded machine can take minutes, a quiet one seconds.
describe('repository backups read the source trees', { timeout: 300_000 }, () => {
  it('a workspace outside the state dir is backed up, verified and restored (run exits 0)', async () => {
    const outside = path.join(home, 'projects', 'agent-ws');
    writeTree(outside, { 'AGENTS.md': 'outside workspace', 'memory/2026-12-01.md': 'a note', 'notes/todo.md': 'todo' });
    useWorkspace(outside);
    expect((await cli(['repository', 'init'])).code).toBe(0);
    const run = await cli(['run']);
    expect(run.code, run.stderr).toBe(0);
    const [snapshot] = snapshotsOf(call);
    expect(snapshot?.paths).toEqual(expect.arrayContaining([stateDir, outside]));

    fs.writeFileSync(path.join(outside, 'notes/todo.md'), 'overwritten by mistake');
    fs.rmSync(path.join(outside, 'memory'), { recursive: true });
    const restored = await cli(['restore', 'latest', '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(fs.readFileSync(path.join(outside, 'notes/todo.md'), 'utf8')).toBe('todo');
    expect(fs.readFileSync(path.join(outside, 'memory/2026-12-01.md'), 'utf8')).toBe('a note');
  });

  it('a workspace that is a symlink inside the state dir to a synced folder: the folder is a tree of its own', async () => {
    const synced = path.join(home, 'Sync', 'openclaw-ws');
    fs.mkdirSync(path.dirname(synced), { recursive: true });
    fs.renameSync(path.join(stateDir, 'workspace'), synced);
    fs.symlinkSync(synced, path.join(stateDir, 'workspace'));
    useWorkspace(path.join(stateDir, 'workspace'));
    const made = await cli(['create', '--init', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const [snapshot] = snapshotsOf(call);
    expect(snapshot?.paths).toEqual(expect.arrayContaining([stateDir, synced]));
    const verified = await cli(['verify', 'latest']);
    expect(verified.code, verified.stderr).toBe(0);

    fs.writeFileSync(path.join(synced, 'MEMORY.md'), 'lost');
    const restored = await cli(['restore', 'latest', '--yes']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(fs.lstatSync(path.join(stateDir, 'workspace')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(synced, 'MEMORY.md'), 'utf8')).not.toBe('lost');
  });

  it('night 2 hashes only what changed, restic reuses the rest, and the run verifies only what is new', async () => {
    useWorkspace(path.join(stateDir, 'workspace'));
    const notes = path.join(stateDir, 'workspace', 'notes');
    writeTree(notes, Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`n${i}.md`, `note ${i}\n`.repeat(200)])));
    expect((await cli(['repository', 'init'])).code).toBe(0);
    // A file changed within two seconds of a run's start is never trusted to the cache (borg's rule): night 1
    // starts once everything written above (the unpacked fixture too: its ctimes are now) is older than that.
    const written = Date.now();
    await waitFor(() => Date.now() - written > 2500, { what: 'the tree to be older than the cache window' });
    const first = await cli(['run', '--json', '--log-level', 'debug']);
    expect(first.code, first.stderr).toBe(0);
    const [night1] = debugLines(first.stderr, 'walked and hashed the sources for the repository');
    expect(night1?.fromCache).toBe(0);

    fs.writeFileSync(path.join(notes, 'n7.md'), 'edited on night 2');
    const second = await cli(['run', '--json', '--log-level', 'debug']);
    expect(second.code, second.stderr).toBe(0);
    const [night2] = debugLines(second.stderr, 'walked and hashed the sources for the repository');
    // What the run reports as its size is what restic added, not the size of an archive of the whole state.
    const record = JSON.parse(second.stdout) as { bytes: number };
    expect(record.bytes).toBeLessThan(200_000);
    // Only the edited note is read (databases are snapshotted, never cached).
    expect(night2?.hashed).toBe(1);
    expect(night2?.fromCache).toBeGreaterThanOrEqual(60);
    const [resticDone] = debugLines(second.stderr, 'restic backup done');
    expect(resticDone?.filesChanged).toBeLessThanOrEqual(8);
    expect(resticDone?.filesUnmodified).toBeGreaterThanOrEqual(60);

    // The run reads back what it wrote this time (the edited note and the database snapshots), not all 90 files.
    const [checked] = debugLines(second.stderr, 'archive verified');
    expect(checked?.files).toBeGreaterThanOrEqual(1);
    expect(checked?.files).toBeLessThanOrEqual(5);

    // The lists of unchanged directories stay as they were: restic skips them too.
    const snaps = snapshotsOf(call);
    const diff = restic(call, ['diff', snaps[0]!.id, snaps[1]!.id]);
    const changedLists = diff.split('\n').filter((line) => /^[M+-]\s.*\/entries\/.*@\.jsonl$/.test(line));
    expect(changedLists.length).toBeLessThanOrEqual(2);
    // Nothing of the state is kept on disk: only the small lists and the hash cache.
    const cacheDir = path.join(home, '.cache', 'openclaw-backup');
    const kept = fs
      .readdirSync(cacheDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(cacheDir, path.join(e.parentPath, e.name)));
    expect(
      kept.every((file) => /(\.jsonl|header\.json|manifest\.json|files\.sqlite)$/.test(file)),
      kept.join(', '),
    ).toBe(true);
  });

  it('retention forgets each run; restic prune runs at most once a day on a schedule, at once on `prune`', async () => {
    useWorkspace(path.join(stateDir, 'workspace'), { retention: 1 });
    const shim = loggingRestic();
    expect((await cli(['repository', 'init'])).code).toBe(0);
    for (let run = 1; run <= 3; run += 1) {
      fs.writeFileSync(path.join(stateDir, 'workspace', 'MEMORY.md'), `run ${run}`);
      const result = await cli(['run'], shim.env);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(snapshotsOf(call)).toHaveLength(1);
    // Each run asks restic about the snapshot it made once (its full id and paths), and its verify reuses that.
    expect(shim.calls().filter((line) => /(^| )snapshots --json [0-9a-f]{8,64}$/.test(line))).toHaveLength(3);
    const prunes = () => shim.calls().filter((line) => /(^| )prune( |$)/.test(line));
    expect(shim.calls().filter((line) => /(^| )forget /.test(line))).toHaveLength(2);
    expect(prunes()).toHaveLength(1);

    useWorkspace(path.join(stateDir, 'workspace'));
    for (let made = 0; made < 2; made += 1) expect((await cli(['create'], shim.env)).code).toBe(0);
    const pruned = await cli(['prune', '--keep-last', '1'], shim.env);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(snapshotsOf(call)).toHaveLength(1);
    expect(prunes()).toHaveLength(2);
    expect(restic(call, ['check'])).toContain('no errors were found');
  });

  it('a file changed between our hashing and restic reading it is reported, not called damage', async () => {
    useWorkspace(path.join(stateDir, 'workspace'));
    const note = path.join(stateDir, 'workspace', 'MEMORY.md');
    const gone = path.join(stateDir, 'workspace', 'memory', '2026-11-20.md');
    // A restic that changes one file and deletes another just before it reads the trees.
    const shimDir = path.join(home, 'shim');
    writeTree(shimDir, {
      restic: `#!/bin/sh\nif [ "$1" = backup ] || [ "$2" = backup ]; then printf 'written while restic read' >> '${note}'; rm -f '${gone}'; fi\nexec ${realRestic()} "$@"\n`,
    });
    fs.chmodSync(path.join(shimDir, 'restic'), 0o755);
    const env = { PATH: `${shimDir}:${process.env.PATH}` };
    const made = await cli(['create', '--init'], env);
    expect(made.code, made.stderr).toBe(0);
    const verified = await cli(['verify', 'latest']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('changed: openclaw-backup/state/workspace/MEMORY.md');
    expect(verified.stdout).toContain('vanished: openclaw-backup/state/workspace/memory/2026-11-20.md');
    const copy = path.join(home, 'copy');
    const restored = await cli(['restore', 'latest', '--target', copy]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(fs.readFileSync(path.join(copy, 'workspace/MEMORY.md'), 'utf8')).toContain('written while restic read');
    expect(restored.stdout + restored.stderr).toContain('changed between our read and restic');
  });
});

/** A `restic` first in PATH that logs each call's arguments and runs the real one. */
function loggingRestic(): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const shimDir = path.join(home, 'shim-log');
  const log = path.join(shimDir, 'calls.log');
  writeTree(shimDir, { restic: `#!/bin/sh\necho "$*" >> '${log}'\nexec ${realRestic()} "$@"\n` });
  fs.chmodSync(path.join(shimDir, 'restic'), 0o755);
  return {
    env: { PATH: `${shimDir}:${process.env.PATH}` },
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

function realRestic(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, 'restic');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error('restic not on PATH');
}
