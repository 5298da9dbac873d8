import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgeKey, requireAgeCli, writeSecretFile, type AgeKey } from '../../helpers/age.js';
import { makeFixtureHome, type FixtureHome } from '../../helpers/encrypted-fixture.js';
import { callCli } from '../../helpers/cli-in-process.js';

let fx: FixtureHome;
let key: AgeKey;

beforeAll(() => {
  requireAgeCli();
  fx = makeFixtureHome('ocb-key-flags-');
  key = generateAgeKey(fx.root);
});
afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

async function usage(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await callCli(args, { env: { ...fx.env, ...env } });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(fs.readdirSync(fx.out)).toEqual([]);
  // The fixture's config points its workspace at /home/openclaw: create warns about that first.
  return result.stderr.replace(/^warning: .*\n/gm, '');
}

describe('key flags: bad input is refused with exit 2 before anything is written', () => {
  it('refuses a group- or world-readable identity file, like ssh', async () => {
    const loose = writeSecretFile(path.join(fx.root, 'loose-key.txt'), fs.readFileSync(key.identityFile, 'utf8'), 0o644);
    const stderr = await usage(['verify', '--identity', loose, path.join(fx.root, 'any.age')]);
    expect(stderr).toBe(`openclaw-backup: identity file ${loose} is accessible by group or others (mode 0644); run: chmod 600 ${loose}\n`);
    expect(stderr).not.toContain(key.secret);
    const viaEnv = await usage(['verify', path.join(fx.root, 'any.age')], { OPENCLAW_BACKUP_IDENTITY: loose });
    expect(viaEnv).toBe(stderr);
  });

  it('refuses a loose passphrase file, for create and for verify', async () => {
    const loose = writeSecretFile(path.join(fx.root, 'loose-pass'), 'dummy-loose-passphrase-0000\n', 0o640);
    const expected = `openclaw-backup: passphrase file ${loose} is accessible by group or others (mode 0640); run: chmod 600 ${loose}\n`;
    expect(await usage(['create', '--passphrase-file', loose, '-o', fx.out])).toBe(expected);
    expect(await usage(['verify', '--passphrase-file', loose, path.join(fx.root, 'any.age')])).toBe(expected);
  });

  it('--encrypt-to names the bad recipient, and never echoes a pasted secret key', async () => {
    expect(await usage(['create', '--encrypt-to', key.recipient, '--encrypt-to', 'age1bogus', '-o', fx.out])).toBe(
      'openclaw-backup: --encrypt-to #2: expected an age recipient (age1…, from `age-keygen -y`)\n',
    );
    const stderr = await usage(['create', '--encrypt-to', key.secret, '-o', fx.out]);
    expect(stderr).toBe(
      'openclaw-backup: --encrypt-to #1: this is a secret key (an identity), not a recipient: use the public key that `age-keygen -y` prints\n',
    );
  });

  it('conflicting or incomplete flags', async () => {
    const pass = writeSecretFile(path.join(fx.root, 'pass'), 'dummy-pass-0000\n');
    expect(await usage(['create', '--encrypt-to', key.recipient, '--passphrase-file', pass, '-o', fx.out])).toBe(
      'openclaw-backup: --encrypt-to and --passphrase-file: pass one, not both\n',
    );
    expect(await usage(['verify', '--identity', key.identityFile, '--passphrase-file', pass, path.join(fx.root, 'any.age')])).toBe(
      'openclaw-backup: --identity and --passphrase-file: pass one, not both\n',
    );
    expect(await usage(['create', '--encrypt-to', key.recipient, '--verify', '-o', fx.out])).toBe(
      'openclaw-backup: --verify: the archive is encrypted to recipients; pass --identity with a matching age identity file\n',
    );
    const file = path.join(fx.out, 'backup.tar.gz');
    expect(await usage(['create', '--encrypt-to', key.recipient, '-o', file])).toBe(
      `openclaw-backup: output ${file}: an encrypted archive's name must end in .age\n`,
    );
  });

  it('refuses a passphrase file inside the backups dir (it would be uploaded with the archives)', async () => {
    const dir = path.join(fx.root, 'backups-with-key');
    fs.mkdirSync(dir, { mode: 0o700 });
    const pass = writeSecretFile(path.join(dir, 'pass'), 'dummy-pass-0000\n');
    const result = await callCli(['create', '--passphrase-file', pass, '-o', dir], { env: fx.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `openclaw-backup: passphrase file ${pass} is inside the backups dir ${dir}, which is copied offsite with the archives; keep it elsewhere\\n$`,
      ),
    );
    expect(fs.readdirSync(dir)).toEqual(['pass']);
  });

  it('an identity file holding a public key or garbage names the line', async () => {
    const pub = writeSecretFile(path.join(fx.root, 'pub.txt'), `# public\n${key.recipient}\n`);
    expect(await usage(['verify', '--identity', pub, path.join(fx.root, 'any.age')])).toBe(
      `openclaw-backup: identity file ${pub} line 2: this is a public key (recipient); the identity is the AGE-SECRET-KEY-1… line\n`,
    );
  });
});
