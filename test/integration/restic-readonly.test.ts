import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';
import { restic, snapshotsOf, writePasswordFile, type ResticCall } from '../helpers/restic.js';

/**
 * Issue 25 item 10: a read-only repository (the usual disaster-recovery copy, a read-only S3 key) can be read:
 * list, status, verify, restore and prune --dry-run work and say it is read-only; a backup into it fails in one
 * line. As root the repository is a read-only bind mount (`mount --bind`, then `remount,bind,ro`); otherwise the
 * tree is made read-only with chmod (root would write through that).
 */
const isRoot = process.getuid?.() === 0;
let home: string;
let stateDir: string;
let writable: string;
let readOnly: string;
let call: ResticCall;
let snapshot: string;

function setRepository(url: string): void {
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: { repository: { url, passwordFile: call.passwordFile }, retention: 1 } };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
}

const cli = (args: string[]) => runCli(args, { env: { HOME: home }, timeoutMs: 300_000 });
const READ_ONLY_NOTE = /note: repository \S+ is read-only \(restic cannot write a lock there\): reading it without a lock/;

beforeAll(async () => {
  home = makeTempDir('ocb-restic-ro-');
  stateDir = unpackFixture(home);
  writable = path.join(home, 'repo');
  call = { repo: writable, passwordFile: writePasswordFile(home) };
  restic(call, ['init']);
  setRepository(writable);
  const first = await cli(['create', '--json']);
  expect(first.code, first.stderr).toBe(0);
  fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), 'night two');
  const second = await cli(['create', '--json']);
  expect(second.code, second.stderr).toBe(0);
  snapshot = (JSON.parse(second.stdout) as { archive: string }).archive;
  if (isRoot) {
    readOnly = path.join(home, 'ro');
    fs.mkdirSync(readOnly);
    execFileSync('mount', ['--bind', writable, readOnly]);
    execFileSync('mount', ['-o', 'remount,bind,ro', readOnly]);
  } else {
    readOnly = writable;
    execFileSync('chmod', ['-R', 'a-w', writable]);
  }
  call = { ...call, repo: readOnly };
  setRepository(readOnly);
}, 300_000);
afterAll(() => {
  if (isRoot && readOnly) execFileSync('umount', [readOnly]);
  else if (writable) execFileSync('chmod', ['-R', 'u+w', writable]);
  fs.rmSync(home, { recursive: true, force: true });
});

describe(`a read-only repository (${isRoot ? 'read-only bind mount' : 'read-only directory tree'})`, () => {
  it('list shows the snapshots and says the repository is read-only', async () => {
    const list = await cli(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(READ_ONLY_NOTE);
    expect((JSON.parse(list.stdout) as { archive: string }[]).map((s) => s.archive)).toContain(snapshot);
  });

  it('status reports the newest snapshot', async () => {
    const status = await cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(READ_ONLY_NOTE);
    expect(JSON.parse(status.stdout)).toMatchObject({ archives: { count: 2, newest: snapshot } });
  });

  it('verify reads and checks the snapshot', async () => {
    const verify = await cli(['verify', 'latest']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr).toMatch(READ_ONLY_NOTE);
    expect(verify.stdout).toContain(`ok: snapshot ${snapshot}`);
  });

  it('restore --target brings the snapshot back', async () => {
    const target = path.join(home, 'copy');
    const restore = await cli(['restore', 'latest', '--target', target]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(READ_ONLY_NOTE);
    expect(fs.readFileSync(path.join(target, 'workspace/SOUL.md'), 'utf8')).toBe('night two');
  });

  it('prune --dry-run says what would go and deletes nothing', async () => {
    const prune = await cli(['prune', '--dry-run']);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stderr).toMatch(READ_ONLY_NOTE);
    expect(prune.stdout).toMatch(/1 kept, 1 would remove/);
    expect(snapshotsOf(call, ['--no-lock'])).toHaveLength(2);
  });

  it('a backup into it fails in one line naming the read-only repository', async () => {
    const create = await cli(['create']);
    expect(create.code, create.stderr).toBe(1);
    expect(create.stderr).toMatch(/^openclaw-backup: repository \S+ is read-only \(restic \S+ cannot write its lock: /m);
    expect(create.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotsOf(call, ['--no-lock'])).toHaveLength(2);
  });
});
