import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { makeTempDir, runCli, unpackFixture, writeTree } from '../helpers/fixture.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function home(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

function backupsOf(stateDir: string): string[] {
  try {
    return fs.readdirSync(path.join(stateDir, 'backups'));
  } catch {
    return [];
  }
}

describe('create refuses bad input with a one-line error and the documented exit code', () => {
  it('missing state dir → exit 2 naming the path', async () => {
    const h = home();
    const r = await runCli(['create'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`openclaw-backup: state dir ${h}/.openclaw does not exist (set --state-dir, OPENCLAW_STATE_DIR or --profile)\n`);
  });

  it('state dir without a config → exit 2 naming the config path', async () => {
    const h = home();
    fs.mkdirSync(path.join(h, '.openclaw'));
    const r = await runCli(['create', '--state-dir', path.join(h, '.openclaw')], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^openclaw-backup: cannot read config .*\/\.openclaw\/openclaw\.json: ENOENT/);
    expect(backupsOf(path.join(h, '.openclaw'))).toEqual([]);
  });

  it('config that is not JSON5 → exit 2 naming the file and the position', async () => {
    const h = home();
    writeTree(h, { '.openclaw/openclaw.json': '{ gateway: { port: 1 ' });
    const r = await runCli(['create'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^openclaw-backup: .*openclaw\.json: not valid JSON5 \(invalid end of input at 1:22\)\n$/);
    expect(backupsOf(path.join(h, '.openclaw'))).toEqual([]);
  });

  it('invalid backup block → exit 2 with the key path', async () => {
    const h = home();
    writeTree(h, {
      '.openclaw/openclaw.json': JSON.stringify({ plugins: { entries: { 'openclaw-backup': { config: { retention: -1 } } } } }),
    });
    const r = await runCli(['create'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('openclaw-backup: plugins.entries["openclaw-backup"].config.retention: expected a positive integer, got -1\n');
  });

  it('unknown component → exit 2 listing the valid ones', async () => {
    const h = home();
    unpackFixture(h);
    const r = await runCli(['create', '--only', 'config,sesions'], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unknown component "sesions"; valid components: config, credentials, sessions, memory, workspace, logs, cache, state',
    );
  });

  it('output inside the state dir (not the backups dir) → exit 2, nothing written', async () => {
    const h = home();
    const state = unpackFixture(h);
    const r = await runCli(['create', '--output', path.join(state, 'workspace', 'x.tar.gz')], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is inside the backed-up tree .*\.openclaw/);
    expect(fs.existsSync(path.join(state, 'workspace', 'x.tar.gz'))).toBe(false);
  });

  it('existing output file → exit 2 and the file is untouched', async () => {
    const h = home();
    unpackFixture(h);
    const out = path.join(h, 'existing.tar.gz');
    fs.writeFileSync(out, 'keep me');
    const r = await runCli(['create', '--output', out], { env: { HOME: h } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists; archives are never overwritten/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
  });

  it('unreadable file → exit 1 naming it, no partial left', async () => {
    const h = home();
    const state = unpackFixture(h);
    const secret = path.join(state, 'workspace', 'private.md');
    fs.writeFileSync(secret, 'x');
    fs.chmodSync(secret, 0o000);
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      // Root reads anything: run the CLI as "nobody", owning everything but the unreadable file.
      fs.chmodSync(h, 0o755);
      for (const p of [h, ...walk(state)]) if (p !== secret) fs.lchownSync(p, 65534, 65534);
    }
    const r = await runAs(isRoot ? 65534 : undefined, ['create'], { HOME: h });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`openclaw-backup: cannot read ${secret}: EACCES: permission denied`);
    expect(backupsOf(state).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('state locked by a live process → exit 4 naming the holder', async () => {
    const h = home();
    const state = unpackFixture(h);
    const lock = path.join(state, 'openclaw-backup.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(
      path.join(lock, 'owner.json'),
      JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname(), command: 'test holder', since: 'now' }),
    );
    const r = await runCli(['create', '--lock-wait', '1'], { env: { HOME: h } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`is locked by pid ${process.pid}`);
    expect(r.stderr).toContain('test holder');
    expect(backupsOf(state).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('a stale lock of a dead process is reclaimed', async () => {
    const h = home();
    const state = unpackFixture(h);
    const lock = path.join(state, 'openclaw-backup.lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(
      path.join(lock, 'owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 12345, hostname: (await import('node:os')).hostname(), command: 'crashed', since: 'then' }),
    );
    const r = await runCli(['create', '--lock-wait', '1'], { env: { HOME: h } });
    expect(r.code).toBe(0);
  });

  it('Ctrl-C during a backup → exit 130, no archive and no temp file left', async () => {
    const h = home();
    const state = unpackFixture(h);
    const big = path.join(state, 'workspace', 'big.bin');
    const fd = fs.openSync(big, 'w');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < 300; i += 1) fs.writeSync(fd, block.fill(i));
    fs.closeSync(fd);
    const running = startCli(['create'], { env: { HOME: h } });
    await waitFor(() => backupsOf(state).some((n) => n.endsWith('.partial')), {
      what: 'a partial archive',
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    running.child.kill('SIGINT');
    const { code, stderr } = await running.done;
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(backupsOf(state)).toEqual([]);
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    out.push(p);
    if (fs.lstatSync(p).isDirectory()) out.push(...walk(p));
  }
  return [dir, ...out];
}

function runAs(uid: number | undefined, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return runCli(args, { env, ...(uid !== undefined ? { uid, gid: uid } : {}) });
}
