import fs from 'node:fs/promises';
import { ConfigError, describeFsError } from '../../errors.js';
import { ageModule } from '../../config/age-module.js';
import { describeRecipientProblem } from '../../config/age-recipient.js';
import { secretFileFix } from './secret-file-fix.js';

/** Env var naming an identity file, used when no --identity / --passphrase-file is given. */
export const IDENTITY_ENV = 'OPENCLAW_BACKUP_IDENTITY';

/** What every reader says about an encrypted archive it was given no key for (exit 2, like a missing option). */
export const KEY_NEEDED = `age-encrypted; pass --identity FILE (or set $${IDENTITY_ENV}) or --passphrase-file FILE to read it`;

/** What an archive is encrypted to: age recipients (public keys) or one scrypt passphrase. */
export type EncryptionKey = { kind: 'recipients'; recipients: string[] } | { kind: 'passphrase'; passphrase: string };

/** What an archive is decrypted with: age identities (secret keys) or a passphrase. */
export type DecryptionKey = { kind: 'identities'; identities: string[] } | { kind: 'passphrase'; passphrase: string };

function isValidIdentity(value: string): boolean {
  try {
    new (ageModule().Decrypter)().addIdentity(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a secret file, refusing one that group or others may read or write (as ssh does for private keys):
 * a loose key file has to be assumed copied already.
 */
export async function readSecretFile(file: string, what: string): Promise<string> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(`cannot read ${what} ${file}: ${describeFsError(error)}${missing ? `; ${secretFileFix(file, what)}` : ''}`, {
      cause: error,
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigError(`${what} ${file} is not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new ConfigError(`${what} ${file} is accessible by group or others (mode ${mode}); run: chmod 600 ${file}`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Lines of an age key file without comments and blanks, numbered from 1. */
function keyLines(text: string): Array<{ line: number; value: string }> {
  return text
    .split(/\r?\n/)
    .map((value, i) => ({ line: i + 1, value: value.trim() }))
    .filter(({ value }) => value !== '' && !value.startsWith('#'));
}

/** An age identity file (`age-keygen -o key.txt`): one AGE-SECRET-KEY-1… per line, # comments. */
export async function loadIdentityFile(file: string): Promise<string[]> {
  const text = await readSecretFile(file, 'identity file');
  if (text.startsWith('age-encryption.org/')) {
    throw new ConfigError(`identity file ${file} is itself age-encrypted; decrypt it first (age -d) into a private file`);
  }
  const identities: string[] = [];
  for (const { line, value } of keyLines(text)) {
    if (value.startsWith('age1'))
      throw new ConfigError(
        `identity file ${file} line ${line}: this is a public key (recipient); the identity is the AGE-SECRET-KEY-1… line`,
      );
    if (value.startsWith('-----BEGIN'))
      throw new ConfigError(`identity file ${file}: SSH keys are not supported; use an age identity from age-keygen`);
    if (!isValidIdentity(value))
      throw new ConfigError(`identity file ${file} line ${line}: not an age identity (expected AGE-SECRET-KEY-1…)`);
    identities.push(value);
  }
  if (identities.length === 0) throw new ConfigError(`identity file ${file} holds no age identity`);
  return identities;
}

/** A passphrase file: its content without one trailing newline. */
export async function loadPassphraseFile(file: string): Promise<string> {
  const passphrase = (await readSecretFile(file, 'passphrase file')).replace(/\r?\n$/, '');
  if (passphrase === '') throw new ConfigError(`passphrase file ${file} is empty`);
  return passphrase;
}

/** An age recipients file (`age -R`): one age1… per line, # comments. Public, so no permission check. */
export async function loadRecipientsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read recipients file ${file}: ${describeFsError(error)}`, { cause: error });
  }
  const recipients: string[] = [];
  for (const { line, value } of keyLines(text)) {
    const problem = describeRecipientProblem(value);
    if (problem) throw new ConfigError(`recipients file ${file} line ${line}: ${problem}`);
    recipients.push(value);
  }
  if (recipients.length === 0) throw new ConfigError(`recipients file ${file} holds no recipient`);
  return recipients;
}
