import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRows, makeTempDir, NATIVE_FIXTURE } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { fixtureWithArchive, gnuExtract, snapshotTree } from '../helpers/tree.js';

let home: string;
let stateDir: string;
let archive: string;
let archived: Record<string, string>;

const AGENT_DB = 'agents/main/agent/openclaw-agent.sqlite';

beforeEach(async () => {
  home = makeTempDir('ocb-restore-');
  ({ stateDir, archive } = await fixtureWithArchive(home));
  archived = snapshotTree(path.join(gnuExtract(archive, path.join(home, 'gnu')), 'openclaw-backup', 'state'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

/**
 * Content of the restored tree, ignoring modes (restore tightens them), what restore keeps from the live dir, and the
 * state id restore writes itself (from the archive's header).
 */
function contents(root: string, skipConfig = false): Record<string, string> {
  const ours = ['backups', 'openclaw-backup.lock', 'openclaw-backup-id.json'];
  const snap = snapshotTree(root, (rel) => ours.includes(rel) || (skipConfig && rel === 'openclaw.json'));
  return Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, v.replace(/^(file|dir) [0-7]+/, '$1')]));
}

async function expectDatabases(dir: string): Promise<void> {
  expect(await countRows(path.join(dir, AGENT_DB), 'session_nodes')).toBe(2);
  expect(await countRows(path.join(dir, AGENT_DB), 'transcript_events')).toBe(20);
  const { DatabaseSync } = await import('node:sqlite');
  for (const db of [AGENT_DB, 'state/openclaw.sqlite']) {
    const conn = new DatabaseSync(path.join(dir, db), { readOnly: true });
    expect(conn.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    conn.close();
  }
}

describe('restore', () => {
  it('round trip: wipe the state, restore, every file identical, databases intact, modes private', async () => {
    fs.rmSync(stateDir, { recursive: true });
    const result = await callCli(['restore', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Restored everything .* into .*\.openclaw/);
    expect(result.stdout).toMatch(/permissions: state dir 0700, \d+ credential\/config\/database files 0600, owned by/);
    expect(contents(stateDir)).toEqual(contents(path.join(home, 'gnu', 'openclaw-backup', 'state')));
    expect(Object.keys(archived).length).toBeGreaterThan(40);
    await expectDatabases(stateDir);
    expect(fs.statSync(stateDir).mode & 0o777).toBe(0o700);
    for (const rel of ['openclaw.json', 'state/openclaw.sqlite', AGENT_DB, 'config-journal-fingerprint.key']) {
      expect(fs.statSync(path.join(stateDir, rel)).mode & 0o777, rel).toBe(0o600);
    }
    expect(fs.readdirSync(home).filter((n) => /rollback|restore-/.test(n))).toEqual([]);
  });

  it('files and directories get back the times the archive holds, as GNU tar sets them', async () => {
    fs.rmSync(stateDir, { recursive: true });
    const result = await callCli(['restore', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const gnu = path.join(home, 'gnu', 'openclaw-backup', 'state');
    const seconds = (file: string) => Math.floor(fs.lstatSync(file).mtimeMs / 1000);
    // Not a directory that holds a database: the databases come last in the archive, and GNU tar, which sets a
    // directory's time when it leaves it, writes into it again afterwards.
    for (const rel of ['workspace/SOUL.md', AGENT_DB, 'agents/main'])
      expect(seconds(path.join(stateDir, rel)), rel).toBe(seconds(path.join(gnu, rel)));
  });

  it('in place over a changed state: moves the old state to a printed rollback path, keeps the backups dir', async () => {
    fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'changed');
    fs.writeFileSync(path.join(stateDir, 'workspace/NEW.md'), 'new');
    fs.writeFileSync(path.join(stateDir, 'cache/model-list.json'), 'cached');
    fs.mkdirSync(path.join(stateDir, 'backups'));
    fs.copyFileSync(archive, path.join(stateDir, 'backups', 'kept.tar.gz'));
    const result = await callCli(['restore', '--json', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { rollback: string[]; format: string };
    expect(report.format).toBe('openclaw-backup');
    expect(report.rollback).toHaveLength(1);
    const rollback = report.rollback[0] as string;
    expect(fs.readFileSync(path.join(rollback, 'workspace/SOUL.md'), 'utf8')).toBe('changed');
    expect(fs.existsSync(path.join(stateDir, 'workspace/NEW.md'))).toBe(false);
    expect(fs.existsSync(path.join(stateDir, 'backups', 'kept.tar.gz'))).toBe(true);
    // cache/ is not in a default backup: carried over as it was, not moved to the rollback copy.
    expect(fs.readFileSync(path.join(stateDir, 'cache/model-list.json'), 'utf8')).toBe('cached');
    expect(fs.existsSync(path.join(rollback, 'cache'))).toBe(false);
    const live = contents(stateDir);
    for (const key of Object.keys(live)) if (key === 'cache' || key.startsWith('cache/')) delete live[key];
    expect(live).toEqual(contents(path.join(home, 'gnu', 'openclaw-backup', 'state')));
  });

  it('--only restores just those components and leaves every other file untouched', async () => {
    fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'changed');
    fs.writeFileSync(path.join(stateDir, 'workspace/MEMORY.md'), 'changed memory');
    fs.writeFileSync(path.join(stateDir, 'openclaw.json.bak'), 'changed config');
    const before = snapshotTree(stateDir);
    const result = await callCli(['restore', '--only', 'workspace', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    const after = snapshotTree(stateDir);
    expect(fs.readFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'utf8')).toMatch(/^# SOUL\.md/);
    expect(fs.readFileSync(path.join(stateDir, 'workspace/MEMORY.md'), 'utf8')).toBe('changed memory');
    expect(fs.readFileSync(path.join(stateDir, 'openclaw.json.bak'), 'utf8')).toBe('changed config');
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.every((k) => k.startsWith('workspace/') && !k.startsWith('workspace/memory'))).toBe(true);
    expect(changed).toContain('workspace/SOUL.md');
    const rollback = /previous state moved to (\S+)/.exec(result.stdout)?.[1] as string;
    expect(fs.readFileSync(path.join(rollback, 'state', 'workspace/SOUL.md'), 'utf8')).toBe('changed');
    const bad = await callCli(['restore', '--only', 'wrokspace', archive], { env: { HOME: home } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown component "wrokspace"; valid components: config,/);
  });

  it('--target restores a copy; a non-empty target needs --force; the live state is untouched', async () => {
    const before = snapshotTree(stateDir);
    const target = path.join(home, 'copy');
    const result = await callCli(['restore', '--target', target, archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    // Every file identical except openclaw.json, whose paths now point into the copy.
    expect(contents(target, true)).toEqual(contents(path.join(home, 'gnu', 'openclaw-backup', 'state'), true));
    expect(snapshotTree(stateDir)).toEqual(before);
    const config = JSON.parse(fs.readFileSync(path.join(target, 'openclaw.json'), 'utf8'));
    expect(config.agents.defaults.workspace).toBe(path.join(target, 'workspace'));
    const again = await callCli(['restore', '--target', target, archive], { env: { HOME: home } });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--target .*copy is not empty; pass --force/);
    const forced = await callCli(['restore', '--force', '--target', target, archive], { env: { HOME: home } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/previous state moved to .*copy\.rollback-/);
    const home2 = await callCli(['restore', '--force', '--target', home, archive], { env: { HOME: home } });
    expect(home2.code).toBe(2);
    expect(home2.stderr).toMatch(/contains your home directory/);
  });

  it('under a different $HOME: remaps paths in openclaw.json and prints the rewrite', async () => {
    const newHome = makeTempDir('ocb-newhome-');
    const result = await callCli(['restore', archive], { env: { HOME: newHome } });
    expect(result.code, result.stderr).toBe(0);
    const newState = path.join(newHome, '.openclaw');
    const config = JSON.parse(fs.readFileSync(path.join(newState, 'openclaw.json'), 'utf8'));
    expect(config.agents.defaults.workspace).toBe(path.join(newState, 'workspace'));
    expect(config.agents.entries.main.agentDir).toBe(path.join(newState, 'agents/main/agent'));
    expect(JSON.stringify(config)).not.toContain(stateDir);
    expect(result.stdout).toContain(`agents.entries.main.workspace: ${stateDir}/workspace → ${newState}/workspace`);
    await expectDatabases(newState);
    fs.rmSync(newHome, { recursive: true, force: true });
  });

  it('restores the OpenClaw-native fixture and a hand-made GNU tar archive', async () => {
    const nativeHome = makeTempDir('ocb-native-');
    const native = await callCli(['restore', NATIVE_FIXTURE], { env: { HOME: nativeHome } });
    expect(native.code, native.stderr).toBe(0);
    const nativeState = path.join(nativeHome, '.openclaw');
    await expectDatabases(nativeState);
    const nativeTree = gnuExtract(NATIVE_FIXTURE, path.join(nativeHome, 'gnu'));
    const root = fs.readdirSync(nativeTree)[0] as string;
    expect(contents(nativeState, true)).toEqual(contents(path.join(nativeTree, root, 'payload/posix/home/openclaw/.openclaw'), true));
    expect(native.stdout).toMatch(/agents\.defaults\.workspace: \/home\/openclaw\/\.openclaw\/workspace →/);

    const handMade = path.join(home, 'hand.tar.gz');
    execFileSync('tar', ['-C', home, '-czf', handMade, '.openclaw']);
    const handHome = makeTempDir('ocb-hand-');
    const hand = await callCli(['restore', handMade], { env: { HOME: handHome } });
    expect(hand.code, hand.stderr).toBe(0);
    const handState = path.join(handHome, '.openclaw');
    // Byte-identical, -wal and -shm included, except runtime scratch (tmp/) and the remapped openclaw.json.
    const notRuntime = (snap: Record<string, string>) =>
      Object.fromEntries(Object.entries(snap).filter(([k]) => k !== 'tmp' && !k.startsWith('tmp/')));
    expect(notRuntime(contents(handState, true))).toEqual(notRuntime(contents(stateDir, true)));
    expect(fs.existsSync(path.join(handState, 'state/openclaw.sqlite-wal'))).toBe(true);
    await expectDatabases(handState);
    expect(JSON.parse(fs.readFileSync(path.join(handState, 'openclaw.json'), 'utf8')).agents.defaults.workspace).toBe(
      path.join(handState, 'workspace'),
    );
    fs.rmSync(nativeHome, { recursive: true, force: true });
    fs.rmSync(handHome, { recursive: true, force: true });
  });

  it('--dry-run lists changes and writes nothing', async () => {
    fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'changed');
    const before = snapshotTree(home);
    const result = await callCli(['restore', '--dry-run', archive], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Dry run: would restore everything/);
    expect(result.stdout).toContain(`change  ${path.join(stateDir, 'workspace/SOUL.md')}`);
    expect(snapshotTree(home)).toEqual(before);
  });
});
