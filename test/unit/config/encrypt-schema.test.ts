import { generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBackupBlock } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

let secret: string;
let recipient: string;
beforeAll(async () => {
  secret = await generateIdentity();
  recipient = await identityToRecipient(secret);
});

function configError(raw: unknown, prefix = 'backup'): string {
  try {
    parseBackupBlock(raw, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('backup.encrypt', () => {
  it('is optional and accepts each mode', () => {
    expect(parseBackupBlock({}).encrypt).toBeUndefined();
    expect(parseBackupBlock({ encrypt: { recipients: [recipient] } }).encrypt).toEqual({ recipients: [recipient] });
    expect(parseBackupBlock({ encrypt: { recipients: [recipient], recipientsFile: '~/r.txt' } }).encrypt).toEqual({
      recipients: [recipient],
      recipientsFile: '~/r.txt',
    });
    expect(parseBackupBlock({ encrypt: { passphraseFile: '~/.config/openclaw-backup/passphrase' } }).encrypt).toEqual({
      passphraseFile: '~/.config/openclaw-backup/passphrase',
    });
    expect(parseBackupBlock({ encrypt: { passphraseEnv: 'BACKUP_PASSPHRASE' } }).encrypt).toEqual({ passphraseEnv: 'BACKUP_PASSPHRASE' });
  });

  it('names the index of a malformed recipient', () => {
    expect(configError({ encrypt: { recipients: [recipient, 'age1nope'] } })).toBe(
      'backup.encrypt.recipients[1]: expected an age recipient (age1…, from `age-keygen -y`)',
    );
    expect(configError({ encrypt: { recipients: [recipient, 42] } }, 'plugins.entries["openclaw-backup"].config')).toBe(
      'plugins.entries["openclaw-backup"].config.encrypt.recipients[1]: expected an age recipient string (age1…)',
    );
  });

  it('says a pasted secret key is one, without echoing it', () => {
    const message = configError({ encrypt: { recipients: [secret] } });
    expect(message).toBe(
      'backup.encrypt.recipients[0]: this is a secret key (an identity), not a recipient: use the public key that `age-keygen -y` prints',
    );
    expect(message).not.toContain(secret.slice(16));
  });

  it('requires exactly one mode', () => {
    expect(configError({ encrypt: {} })).toBe('backup.encrypt: set recipients / recipientsFile, or passphraseFile, or passphraseEnv');
    expect(configError({ encrypt: { recipients: [recipient], passphraseEnv: 'X' } })).toBe(
      'backup.encrypt: choose one: recipients / recipientsFile, passphraseFile or passphraseEnv',
    );
    expect(configError({ encrypt: { passphraseFile: '/p', passphraseEnv: 'X' } })).toBe(
      'backup.encrypt: choose one: recipients / recipientsFile, passphraseFile or passphraseEnv',
    );
    expect(configError({ encrypt: { recipients: [] } })).toBe('backup.encrypt.recipients: expected at least one recipient');
  });

  it('rejects wrong types and unknown keys, never echoing values', () => {
    expect(configError({ encrypt: 'age1abc' })).toBe(
      'backup.encrypt: expected an object: { recipients: ["age1…"] }, { passphraseFile: "…" } or { passphraseEnv: "NAME" }',
    );
    expect(configError({ encrypt: { passphrase: 'hunter2-dummy' } })).toBe(
      'backup.encrypt.passphrase: unknown key; backup.encrypt: set recipients / recipientsFile, or passphraseFile, or passphraseEnv',
    );
    expect(configError({ encrypt: { passphraseEnv: 'not a name' } })).toBe(
      'backup.encrypt.passphraseEnv: expected an environment variable name',
    );
    expect(configError({ encrypt: { passphraseFile: '' } })).toBe('backup.encrypt.passphraseFile: expected a file path');
  });
});
