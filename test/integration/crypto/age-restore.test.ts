import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli, writeSecretFile, type AgeKey } from '../../helpers/age.js';
import { countRows, makeTempDir, unpackFixture } from '../../helpers/fixture.js';
import { callCli } from '../../helpers/cli-in-process.js';
import { snapshotTree } from '../../helpers/tree.js';

const PASSPHRASE = 'dummy restore passphrase 0000';
const AGENT_DB = 'agents/main/agent/openclaw-agent.sqlite';
let root: string;
let home: string;
let stateDir: string;
let key: AgeKey;
let passFile: string;

/** Contents as restore leaves them comparable: runtime scratch, the (remapped) config and modes (restore tightens them) aside. */
const comparable = (dir: string) =>
  Object.fromEntries(
    Object.entries(
      snapshotTree(dir, (rel) => rel === 'tmp' || rel === 'openclaw.json' || rel === 'backups' || rel === 'openclaw-backup.lock'),
    ).map(([k, v]) => [k, v.replace(/^(file|dir) \d+/, '$1')]),
  );

beforeAll(() => {
  requireAgeCli();
  root = makeTempDir('ocb-age-restore-');
  home = path.join(root, 'home');
  fs.mkdirSync(home);
  unpackFixture(home);
  stateDir = path.join(home, '.openclaw');
  key = generateAgeKey(root);
  passFile = writeSecretFile(path.join(root, 'passphrase'), `${PASSPHRASE}\n`);
  // Archives live apart from the key files: a passphrase file inside the output dir is refused.
  fs.mkdirSync(path.join(root, 'archives'), { mode: 0o700 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function freshHome(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  return dir;
}

describe('restore of encrypted archives', () => {
  it('a GNU tar of the state encrypted by the `age` CLI restores with --identity on a new machine', async () => {
    const archive = path.join(root, 'archives', 'gnu.tar.gz.age');
    execSync(`tar -C '${home}' -czf - .openclaw | age -r ${key.recipient} -o '${archive}'`);
    const newHome = freshHome('new-machine');
    const restored = await callCli(['restore', '--identity', key.identityFile, archive], { env: { HOME: newHome } });
    expect(restored.stderr).not.toMatch(/openclaw-backup:/);
    expect(restored.code).toBe(0);
    const newState = path.join(newHome, '.openclaw');
    expect(comparable(newState)).toEqual(comparable(stateDir));
    expect(await countRows(path.join(newState, AGENT_DB), 'transcript_events')).toBe(20);
  });

  it('our passphrase archive restores with --passphrase-file, and with the identity from $OPENCLAW_BACKUP_IDENTITY for a recipients archive', async () => {
    const pass = path.join(root, 'archives', 'ours-pass.tar.gz.age');
    expect((await callCli(['create', '--passphrase-file', passFile, '-o', pass], { env: { HOME: home } })).code).toBe(0);
    const passHome = freshHome('pass-machine');
    const byPass = await callCli(['restore', '--passphrase-file', passFile, pass], { env: { HOME: passHome } });
    expect(byPass.code, byPass.stderr).toBe(0);
    expect(await countRows(path.join(passHome, '.openclaw', AGENT_DB), 'transcript_events')).toBe(20);

    const rec = path.join(root, 'archives', 'ours-rec.tar.zst.age');
    expect((await callCli(['create', '--compress', 'zstd', '--encrypt-to', key.recipient, '-o', rec], { env: { HOME: home } })).code).toBe(
      0,
    );
    const recHome = freshHome('rec-machine');
    const byEnv = await callCli(['restore', rec], { env: { HOME: recHome, OPENCLAW_BACKUP_IDENTITY: key.identityFile } });
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(fs.readFileSync(path.join(recHome, '.openclaw/config-journal-fingerprint.key'))).toEqual(
      fs.readFileSync(path.join(stateDir, 'config-journal-fingerprint.key')),
    );
  });

  describe('refused with exit 3 and the live state untouched', () => {
    let archive: string;
    let passArchive: string;
    let other: AgeKey;
    let wrongPass: string;

    beforeAll(async () => {
      archive = path.join(root, 'archives', 'refuse.tar.gz.age');
      passArchive = path.join(root, 'archives', 'refuse-pass.tar.gz.age');
      expect((await callCli(['create', '--encrypt-to', key.recipient, '-o', archive], { env: { HOME: home } })).code).toBe(0);
      expect((await callCli(['create', '--passphrase-file', passFile, '-o', passArchive], { env: { HOME: home } })).code).toBe(0);
      other = generateAgeKey(root, 'other.txt');
      wrongPass = writeSecretFile(path.join(root, 'wrong-pass'), 'not it\n');
    });

    function damaged(name: string, change: (b: Buffer) => Buffer): string {
      const file = path.join(root, name);
      fs.writeFileSync(file, change(fs.readFileSync(archive)), { mode: 0o600 });
      return file;
    }

    async function expectRefused(args: string[], reason: RegExp, exitCode = 3): Promise<void> {
      const before = snapshotTree(home);
      const result = await callCli(['restore', ...args], { env: { HOME: home } });
      expect(result.code).toBe(exitCode);
      expect(result.stderr).toMatch(/^openclaw-backup: [^\n]+\n$/);
      expect(result.stderr).toMatch(reason);
      expect(snapshotTree(home)).toEqual(before);
    }

    it('wrong identity, wrong passphrase', async () => {
      await expectRefused(['--identity', other.identityFile, archive], /cannot decrypt: no identity given matches any of its recipients/);
      await expectRefused(['--passphrase-file', wrongPass, passArchive], /cannot decrypt: wrong passphrase\n$/);
    });

    it('truncated and bit-flipped ciphertext', async () => {
      const cut = damaged('cut.tar.gz.age', (b) => b.subarray(0, b.length - 1000));
      await expectRefused(
        ['--identity', key.identityFile, cut],
        /encrypted data failed authentication: the archive is truncated or was modified/,
      );
      const flipped = damaged('flip.tar.gz.age', (b) => {
        const copy = Buffer.from(b);
        copy[Math.floor(copy.length * 0.7)] = (copy[Math.floor(copy.length * 0.7)] as number) ^ 0x04;
        return copy;
      });
      await expectRefused(['--identity', key.identityFile, flipped], /encrypted data failed authentication/);
    });

    it('no key at all', async () => {
      // Not damage: a usage error naming the options that give the key.
      await expectRefused([archive], /: age-encrypted; pass --identity FILE .* or --passphrase-file FILE to read it\n$/, 2);
    });
  });
});
