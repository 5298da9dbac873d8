import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli, runAgeWithPassphrase, writeSecretFile, type AgeKey } from '../../helpers/age.js';
import { makeFixtureHome, onlyFile, setBackupBlock, type FixtureHome } from '../../helpers/encrypted-fixture.js';
import { callCli } from '../../helpers/cli-in-process.js';

const PASSPHRASE = 'dummy passphrase correct horse 0000';
let fx: FixtureHome;
let key: AgeKey;
let passFile: string;

beforeAll(() => {
  requireAgeCli();
  fx = makeFixtureHome('ocb-age-cli-');
  key = generateAgeKey(fx.root);
  passFile = writeSecretFile(path.join(fx.root, 'passphrase'), `${PASSPHRASE}\n`);
});
afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

function freshOut(name: string): string {
  const dir = path.join(fx.out, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** Lists a tar stream with GNU tar; `flags` picks the decompressor. */
function gnuList(tarBytes: Buffer, flags: string[]): string[] {
  return execFileSync('tar', [...flags, '-tf', '-'], { input: tarBytes, maxBuffer: 64 << 20 })
    .toString('utf8')
    .trim()
    .split('\n');
}

describe('archives encrypted by us, read by the age CLI', () => {
  it('create --encrypt-to: `age -d -i` decrypts it and GNU tar lists it; no secret in the ciphertext', async () => {
    const out = freshOut('recipients');
    const result = await callCli(['create', '--encrypt-to', key.recipient, '--compress', 'none', '-o', out, '--json'], { env: fx.env });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { archive: string; encrypted: boolean };
    expect(json.encrypted).toBe(true);
    expect(path.basename(json.archive)).toMatch(/^openclaw-backup-default-\d{8}T\d{6}Z\.tar\.age$/);
    expect(fs.statSync(json.archive).mode & 0o777).toBe(0o600);
    const ciphertext = fs.readFileSync(json.archive);
    for (const secret of ['sk-ant-test-dummy-0000', 'test-token-dummy-0000', 'openclaw-backup/header.json'])
      expect(ciphertext.includes(secret)).toBe(false);
    const plain = execFileSync('age', ['-d', '-i', key.identityFile, json.archive], { maxBuffer: 64 << 20 });
    const names = gnuList(plain, []);
    expect(names[0]).toBe('openclaw-backup/header.json');
    expect(names.at(-1)).toBe('openclaw-backup/manifest.json');
    expect(names).toContain('openclaw-backup/state/openclaw.json');
    expect(plain.includes('test-token-dummy-0000')).toBe(true);
  });

  it('a gzip archive decrypts with age and lists with tar -tz; verify needs the key', async () => {
    const out = freshOut('gzip');
    expect((await callCli(['create', '--encrypt-to', key.recipient, '-o', out], { env: fx.env })).code).toBe(0);
    const archive = onlyFile(out, '.tar.gz.age');
    const names = execSync(`age -d -i '${key.identityFile}' '${archive}' | tar -tz`, { encoding: 'utf8' }).trim().split('\n');
    expect(names[0]).toBe('openclaw-backup/header.json');
    const noKey = await callCli(['verify', archive], { env: fx.env });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toBe(
      `openclaw-backup: ${archive}: age-encrypted; pass --identity FILE (or set $OPENCLAW_BACKUP_IDENTITY) or --passphrase-file FILE to read it\n`,
    );
    const withKey = await callCli(['verify', '--identity', key.identityFile, archive], { env: fx.env });
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toMatch(
      /^ok: .*\n {2}openclaw-backup archive \(age-encrypted\): 33 files \(3 databases passed integrity_check\)/,
    );
  });
});

describe('archives encrypted by the age CLI, read by us', () => {
  it('a GNU tar (gzip) of the state, encrypted with `age -r`, verifies with --identity and $OPENCLAW_BACKUP_IDENTITY', async () => {
    const out = freshOut('foreign');
    expect((await callCli(['create', '--compress', 'none', '-o', path.join(out, 'plain.tar')], { env: fx.env })).code).toBe(0);
    const tree = path.join(out, 'tree');
    fs.mkdirSync(tree);
    execFileSync('tar', ['-C', tree, '-xf', path.join(out, 'plain.tar')]);
    const foreign = path.join(out, 'foreign.tar.gz.age');
    execSync(
      `tar -C '${tree}' -czf - openclaw-backup/header.json openclaw-backup/state openclaw-backup/manifest.json | age -r ${key.recipient} -o '${foreign}'`,
    );
    const byFlag = await callCli(['verify', '--identity', key.identityFile, foreign], { env: fx.env });
    expect(byFlag.stderr).toBe('');
    expect(byFlag.code).toBe(0);
    const byEnv = await callCli(['verify', '--json', foreign], { env: { ...fx.env, OPENCLAW_BACKUP_IDENTITY: key.identityFile } });
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ ok: true, encrypted: true, compression: 'gzip' });
  });

  it('our zstd archive encrypted with `age -R recipients.txt` verifies', async () => {
    const out = freshOut('zstd');
    expect((await callCli(['create', '--compress', 'zstd', '-o', path.join(out, 'a.tar.zst')], { env: fx.env })).code).toBe(0);
    const recipients = path.join(out, 'recipients.txt');
    fs.writeFileSync(recipients, `# backup key\n${key.recipient}\n`);
    execFileSync('age', ['-R', recipients, '-o', path.join(out, 'a.tar.zst.age'), path.join(out, 'a.tar.zst')]);
    const result = await callCli(['verify', '--identity', key.identityFile, '--json', path.join(out, 'a.tar.zst.age')], { env: fx.env });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, encrypted: true, compression: 'zstd' });
  });
});

describe('passphrase mode', () => {
  it('round trip: create --passphrase-file --verify, then verify --passphrase-file', async () => {
    const out = freshOut('pass');
    const created = await callCli(['create', '--passphrase-file', passFile, '-o', out, '--verify'], { env: fx.env });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/encrypted: age\n.*\n {2}verified: ok/);
    const archive = onlyFile(out, '.tar.gz.age');
    const verified = await callCli(['verify', '--passphrase-file', passFile, archive], { env: fx.env });
    expect(verified.code).toBe(0);
  });

  it('interop with `age -p` / `age -d` in passphrase mode (driven through a TTY by expect)', async () => {
    const out = freshOut('pass-interop');
    expect((await callCli(['create', '--passphrase-file', passFile, '--compress', 'none', '-o', out], { env: fx.env })).code).toBe(0);
    const ours = onlyFile(out, '.tar.age');
    const decrypted = runAgeWithPassphrase(['-d', '-o', path.join(out, 'by-age.tar'), ours], PASSPHRASE);
    expect(decrypted.status, decrypted.output).toBe(0);
    expect(gnuList(fs.readFileSync(path.join(out, 'by-age.tar')), [])[0]).toBe('openclaw-backup/header.json');

    const theirs = path.join(out, 'by-age.tar.age');
    const encrypted = runAgeWithPassphrase(['-p', '-o', theirs, path.join(out, 'by-age.tar')], PASSPHRASE, 2);
    expect(encrypted.status, encrypted.output).toBe(0);
    expect(fs.readFileSync(theirs).subarray(0, 512).includes('\n-> scrypt ')).toBe(true);
    const verified = await callCli(['verify', '--passphrase-file', passFile, theirs], { env: fx.env });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });
});

describe('backup.encrypt in the config', () => {
  it('recipientsFile: every archive is encrypted and named .age; --encrypt-to overrides it for one run', async () => {
    const other = generateAgeKey(fx.root, 'other.txt');
    const recipients = path.join(fx.root, 'recipients.txt');
    fs.writeFileSync(recipients, `${key.recipient}\n`);
    setBackupBlock(fx.stateDir, { path: path.join(fx.out, 'configured'), encrypt: { recipientsFile: recipients } });
    try {
      expect((await callCli(['create'], { env: fx.env })).code).toBe(0);
      const archive = onlyFile(path.join(fx.out, 'configured'), '.tar.gz.age');
      expect((await callCli(['verify', '--identity', key.identityFile, archive], { env: fx.env })).code).toBe(0);

      const out = freshOut('override');
      expect((await callCli(['create', '--encrypt-to', other.recipient, '-o', out], { env: fx.env })).code).toBe(0);
      const overridden = onlyFile(out, '.tar.gz.age');
      expect((await callCli(['verify', '--identity', other.identityFile, overridden], { env: fx.env })).code).toBe(0);
      const wrong = await callCli(['verify', '--identity', key.identityFile, overridden], { env: fx.env });
      expect(wrong.code).toBe(3);
    } finally {
      setBackupBlock(fx.stateDir, {});
    }
  });

  it('passphraseEnv: the passphrase comes from the environment; create --verify uses it', async () => {
    const out = freshOut('env-pass');
    setBackupBlock(fx.stateDir, { path: out, encrypt: { passphraseEnv: 'OCB_TEST_PASSPHRASE' } });
    try {
      const missing = await callCli(['create'], { env: fx.env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        'openclaw-backup: plugins.entries["openclaw-backup"].config.encrypt.passphraseEnv: environment variable OCB_TEST_PASSPHRASE is not set or empty\n',
      );
      const created = await callCli(['create', '--verify'], { env: { ...fx.env, OCB_TEST_PASSPHRASE: PASSPHRASE } });
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('verified: ok');
      expect((await callCli(['verify', '--passphrase-file', passFile, onlyFile(out, '.age')], { env: fx.env })).code).toBe(0);
    } finally {
      setBackupBlock(fx.stateDir, {});
    }
  });

  it('a malformed recipient names its index (exit 2)', async () => {
    setBackupBlock(fx.stateDir, { encrypt: { recipients: [key.recipient, 'age1notakey'] } });
    try {
      const result = await callCli(['create', '--dry-run'], { env: fx.env });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'openclaw-backup: plugins.entries["openclaw-backup"].config.encrypt.recipients[1]: expected an age recipient (age1…, from `age-keygen -y`)\n',
      );
    } finally {
      setBackupBlock(fx.stateDir, {});
    }
  });
});

// Ciphertext must be left alone by the decrypting reader: a failed verify writes nothing, not even scratch files.
describe('refusals: exit 3, one line, nothing written', () => {
  let archive: string;
  let passArchive: string;
  let other: AgeKey;
  let wrongPass: string;

  beforeAll(async () => {
    const out = freshOut('refusals');
    expect((await callCli(['create', '--encrypt-to', key.recipient, '-o', path.join(out, 'r.tar.gz.age')], { env: fx.env })).code).toBe(0);
    expect((await callCli(['create', '--passphrase-file', passFile, '-o', path.join(out, 'p.tar.gz.age')], { env: fx.env })).code).toBe(0);
    archive = path.join(out, 'r.tar.gz.age');
    passArchive = path.join(out, 'p.tar.gz.age');
    other = generateAgeKey(fx.root, 'wrong.txt');
    wrongPass = writeSecretFile(path.join(fx.root, 'wrong-passphrase'), 'not the passphrase\n');
  });

  function variant(name: string, change: (bytes: Buffer) => Buffer): string {
    const file = path.join(path.dirname(archive), name);
    fs.writeFileSync(file, change(fs.readFileSync(archive)), { mode: 0o600 });
    return file;
  }

  const flip = (at: (b: Buffer) => number) => (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    const i = at(copy);
    copy[i] = (copy[i] as number) ^ 0x20;
    return copy;
  };

  async function expectRefused(args: string[], reason: RegExp, exitCode = 3): Promise<void> {
    const before = fs.readdirSync(path.dirname(archive)).sort();
    const result = await callCli(args, { env: fx.env });
    expect(result.code).toBe(exitCode);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^openclaw-backup: [^\n]+\n$/);
    expect(result.stderr).toMatch(reason);
    expect(fs.readdirSync(fx.env.TMPDIR as string)).toEqual([]);
    expect(fs.readdirSync(path.dirname(archive)).sort()).toEqual(before);
  }

  it('wrong identity', async () => {
    await expectRefused(
      ['verify', '--identity', other.identityFile, archive],
      /cannot decrypt: no identity given matches any of its recipients/,
    );
  });

  it('wrong passphrase, and a passphrase for a recipients archive', async () => {
    await expectRefused(['verify', '--passphrase-file', wrongPass, passArchive], /: cannot decrypt: wrong passphrase\n$/);
    await expectRefused(
      ['verify', '--passphrase-file', passFile, archive],
      /it is encrypted to age recipients, not a passphrase: pass --identity\n$/,
      2,
    );
  });

  it('truncated ciphertext (mid-chunk, and right after the header)', async () => {
    const cut = variant('cut.tar.gz.age', (b) => b.subarray(0, b.length - 40));
    await expectRefused(
      ['verify', '--identity', key.identityFile, cut],
      /cut\.tar\.gz\.age: encrypted data failed authentication: the archive is truncated or was modified\n$/,
    );
    const headerOnly = variant('header-only.tar.gz.age', (b) => b.subarray(0, b.indexOf('\n---') + 60));
    await expectRefused(['verify', '--identity', key.identityFile, headerOnly], /header-only\.tar\.gz\.age: /);
    const inHeader = variant('in-header.tar.gz.age', (b) => b.subarray(0, 50));
    await expectRefused(['verify', '--identity', key.identityFile, inHeader], /cannot decrypt: age header is corrupt or truncated\n$/);
  });

  it('bit-flipped ciphertext: in the payload, in the last byte, in the header MAC', async () => {
    const mid = variant(
      'mid.tar.gz.age',
      flip((b) => Math.floor(b.length / 2)),
    );
    await expectRefused(['verify', '--identity', key.identityFile, mid], /encrypted data failed authentication/);
    const last = variant(
      'last.tar.gz.age',
      flip((b) => b.length - 1),
    );
    await expectRefused(['verify', '--identity', key.identityFile, last], /encrypted data failed authentication/);
    const mac = variant(
      'mac.tar.gz.age',
      flip((b) => b.indexOf('\n---') + 6),
    );
    await expectRefused(['verify', '--identity', key.identityFile, mac], /cannot decrypt: age header (failed authentication|is corrupt)/);
  });
});
