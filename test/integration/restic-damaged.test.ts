import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';
import { restic, writePasswordFile, type ResticCall } from '../helpers/restic.js';

/**
 * Issue 25 item 5: a damaged pack in the middle of a snapshot's data. restic authenticates every blob it reads, so
 * verify and restore fail on it; the failure is one line and exit 3 (damaged data), never an unhandled 'error'
 * event with a stack trace, and restore leaves no plaintext staging behind.
 */
let home: string;
let stateDir: string;
let call: ResticCall;

beforeEach(async () => {
  home = makeTempDir('ocb-restic-damaged-');
  stateDir = unpackFixture(home);
  call = { repo: path.join(home, 'repo'), passwordFile: writePasswordFile(home) };
  restic(call, ['init']);
  const configPath = path.join(stateDir, 'openclaw.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  config.plugins.entries['openclaw-backup'] = { config: { repository: { url: call.repo, passwordFile: call.passwordFile } } };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  // Random bytes fill whole packs: the damage lands in file data that is read after the stream has started.
  fs.writeFileSync(path.join(stateDir, 'workspace', 'big.bin'), crypto.randomBytes(3 * 1024 * 1024));
  const made = await runCli(['create'], { env: { HOME: home }, timeoutMs: 300_000 });
  expect(made.code, made.stderr).toBe(0);
  damageLargestPack();
}, 300_000);
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

/** Overwrites 64 bytes in the middle of the largest data pack (packs are read-only files: made writable first). */
function damageLargestPack(): void {
  const packs = fs
    .readdirSync(path.join(call.repo, 'data'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const pack = packs[0] as string;
  fs.chmodSync(pack, 0o600);
  const fd = fs.openSync(pack, 'r+');
  fs.writeSync(fd, Buffer.alloc(64, 0x58), 0, 64, Math.floor(fs.statSync(pack).size / 2));
  fs.closeSync(fd);
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('openclaw-backup: '));

describe('a damaged pack in the repository', () => {
  it('verify: one line naming the snapshot, exit 3', async () => {
    const verify = await runCli(['verify', 'latest'], { env: { HOME: home }, timeoutMs: 300_000 });
    expect(verify.code, verify.stderr).toBe(3);
    expect(errorLines(verify.stderr), verify.stderr).toHaveLength(1);
    expect(verify.stderr).toMatch(/snapshot [0-9a-f]{8} in \S+: .*(ciphertext verification failed|hash mismatch|damaged)/);
    expect(verify.stderr).not.toMatch(/\n\s+at |Emitted 'error' event/);
  });

  it('restore: exit 3, the live state untouched, no staging left', async () => {
    const target = path.join(home, 'copy');
    const restore = await runCli(['restore', 'latest', '--target', target], { env: { HOME: home }, timeoutMs: 300_000 });
    expect(restore.code, restore.stderr).toBe(3);
    expect(errorLines(restore.stderr), restore.stderr).toHaveLength(1);
    expect(restore.stderr).not.toMatch(/\n\s+at |Emitted 'error' event/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(home).filter((n) => n.startsWith('.openclaw-backup-restore-'))).toEqual([]);
  });
});
