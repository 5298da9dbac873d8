import fs from 'node:fs';
import path from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeRecipientProblem } from '../../../src/config/age-recipient.js';
import { loadIdentityFile, loadPassphraseFile, loadRecipientsFile } from '../../../src/core/crypto/keys.js';
import { resolveEncryptionKey } from '../../../src/core/crypto/resolve-key.js';
import { ConfigError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/fixture.js';
import { writeSecretFile } from '../../helpers/age.js';

let dir: string;
let secret: string;
let recipient: string;
beforeEach(async () => {
  dir = makeTempDir('ocb-keys-');
  secret = await generateIdentity();
  recipient = await identityToRecipient(secret);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as Error;
}

describe('loadIdentityFile', () => {
  it('reads an age-keygen style file, skipping comments and blanks', async () => {
    const file = writeSecretFile(path.join(dir, 'key.txt'), `# created: 2026-11-21\n# public key: ${recipient}\n\n${secret}\n`);
    expect(await loadIdentityFile(file)).toEqual([secret]);
  });

  it.each([0o640, 0o604, 0o644, 0o660])('refuses mode %s like ssh, without echoing the key', async (mode) => {
    const file = writeSecretFile(path.join(dir, 'key.txt'), `${secret}\n`, mode);
    const error = await rejection(loadIdentityFile(file));
    expect(error.message).toBe(
      `identity file ${file} is accessible by group or others (mode 0${mode.toString(8)}); run: chmod 600 ${file}`,
    );
    expect(error.message).not.toContain(secret);
  });

  it('says when a public key was given instead of the identity', async () => {
    const file = writeSecretFile(path.join(dir, 'pub.txt'), `# mine\n${recipient}\n`);
    expect((await rejection(loadIdentityFile(file))).message).toBe(
      `identity file ${file} line 2: this is a public key (recipient); the identity is the AGE-SECRET-KEY-1… line`,
    );
  });

  it('names the bad line and never quotes it', async () => {
    const mangled = `${secret.slice(0, -3)}QQQ`;
    const file = writeSecretFile(path.join(dir, 'key.txt'), `${secret}\n${mangled}\n`);
    const error = await rejection(loadIdentityFile(file));
    expect(error.message).toBe(`identity file ${file} line 2: not an age identity (expected AGE-SECRET-KEY-1…)`);
    expect(error.message).not.toContain(secret.slice(20, 40));
  });

  it('refuses an empty file, a missing file, an encrypted identity and a directory', async () => {
    const empty = writeSecretFile(path.join(dir, 'empty.txt'), '# nothing\n');
    expect((await rejection(loadIdentityFile(empty))).message).toBe(`identity file ${empty} holds no age identity`);
    const missing = path.join(dir, 'missing.txt');
    expect((await rejection(loadIdentityFile(missing))).message).toBe(
      `cannot read identity file ${missing}: ENOENT: no such file or directory; ${missing} does not exist here: copy the identity file from where you keep it (the old machine, a password manager; no backup holds it) to ${missing}, then chmod 600 ${missing}`,
    );
    const encrypted = writeSecretFile(path.join(dir, 'enc.txt'), 'age-encryption.org/v1\n-> scrypt x 18\n');
    expect((await rejection(loadIdentityFile(encrypted))).message).toMatch(/is itself age-encrypted; decrypt it first/);
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub, { mode: 0o700 });
    expect((await rejection(loadIdentityFile(sub))).message).toBe(`identity file ${sub} is not a regular file`);
  });
});

describe('loadPassphraseFile', () => {
  it('strips exactly one trailing newline', async () => {
    expect(await loadPassphraseFile(writeSecretFile(path.join(dir, 'a'), 'two words \n'))).toBe('two words ');
    expect(await loadPassphraseFile(writeSecretFile(path.join(dir, 'b'), 'crlf\r\n'))).toBe('crlf');
    expect(await loadPassphraseFile(writeSecretFile(path.join(dir, 'c'), 'no-newline'))).toBe('no-newline');
  });

  it('refuses empty and loose files', async () => {
    const empty = writeSecretFile(path.join(dir, 'empty'), '\n');
    expect((await rejection(loadPassphraseFile(empty))).message).toBe(`passphrase file ${empty} is empty`);
    const loose = writeSecretFile(path.join(dir, 'loose'), 'hunter2-dummy\n', 0o644);
    const error = await rejection(loadPassphraseFile(loose));
    expect(error.message).toBe(`passphrase file ${loose} is accessible by group or others (mode 0644); run: chmod 600 ${loose}`);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('recipients', () => {
  it('accepts a real recipient and explains the common mistakes', () => {
    expect(describeRecipientProblem(recipient)).toBeUndefined();
    expect(describeRecipientProblem(secret)).toBe(
      'this is a secret key (an identity), not a recipient: use the public key that `age-keygen -y` prints',
    );
    expect(describeRecipientProblem('ssh-ed25519 AAAA')).toBe('SSH recipients are not supported: use an age X25519 recipient (age1…)');
    expect(describeRecipientProblem(`${recipient.slice(0, -1)}x`)).toBe('expected an age recipient (age1…, from `age-keygen -y`)');
    expect(describeRecipientProblem('age1')).toBe('expected an age recipient (age1…, from `age-keygen -y`)');
  });

  it('reads a recipients file and names a bad line', async () => {
    const other = await identityToRecipient(await generateIdentity());
    const file = path.join(dir, 'recipients.txt');
    fs.writeFileSync(file, `# team\n${recipient}\n\n${other}\n`);
    expect(await loadRecipientsFile(file)).toEqual([recipient, other]);
    fs.writeFileSync(file, `${recipient}\n${secret}\n`);
    const error = await rejection(loadRecipientsFile(file));
    expect(error.message).toBe(
      `recipients file ${file} line 2: this is a secret key (an identity), not a recipient: use the public key that \`age-keygen -y\` prints`,
    );
    expect(error.message).not.toContain(secret);
  });
});

describe('resolveEncryptionKey', () => {
  const context = (env: NodeJS.ProcessEnv = {}) => ({ env, resolvePath: (f: string) => path.resolve(dir, f), keyPath: 'backup.encrypt' });

  it('combines recipients and recipientsFile', async () => {
    const other = await identityToRecipient(await generateIdentity());
    fs.writeFileSync(path.join(dir, 'r.txt'), `${other}\n`);
    expect(await resolveEncryptionKey({ recipients: [recipient], recipientsFile: 'r.txt' }, context())).toEqual({
      kind: 'recipients',
      recipients: [recipient, other],
    });
  });

  it('reads the passphrase from a file or an environment variable', async () => {
    writeSecretFile(path.join(dir, 'p'), 'from-file\n');
    expect(await resolveEncryptionKey({ passphraseFile: 'p' }, context())).toEqual({ kind: 'passphrase', passphrase: 'from-file' });
    expect(await resolveEncryptionKey({ passphraseEnv: 'OCB_PASS' }, context({ OCB_PASS: 'from-env' }))).toEqual({
      kind: 'passphrase',
      passphrase: 'from-env',
    });
    expect(await resolveEncryptionKey(undefined, context())).toBeUndefined();
  });

  it('refuses an unset passphrase variable, naming the key and the variable', async () => {
    const error = await rejection(resolveEncryptionKey({ passphraseEnv: 'OCB_PASS' }, context({ OCB_PASS: '' })));
    expect(error.message).toBe('backup.encrypt.passphraseEnv: environment variable OCB_PASS is not set or empty');
  });
});
