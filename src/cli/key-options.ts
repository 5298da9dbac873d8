import path from 'node:path';
import type { Command } from 'commander';
import type { EncryptSettings } from '../config/schema.js';
import { describeRecipientProblem } from '../config/age-recipient.js';
import { IDENTITY_ENV, loadIdentityFile, loadPassphraseFile, type DecryptionKey } from '../core/crypto/keys.js';
import { UsageError } from '../errors.js';

export interface DecryptFlags {
  identity?: string[];
  passphraseFile?: string;
}

export interface EncryptFlags {
  encryptTo?: string[];
  passphraseFile?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds --identity / --passphrase-file to a command that reads archives (verify, restore, list --details). */
export function addDecryptOptions(command: Command): Command {
  return command
    .option('--identity <file>', `age identity file for encrypted archives, repeatable (default: $${IDENTITY_ENV})`, collect)
    .option('--passphrase-file <file>', 'file (mode 0600) holding the passphrase of passphrase-encrypted archives');
}

/** Adds --encrypt-to / --passphrase-file (and --identity, for --verify) to create. */
export function addEncryptOptions(command: Command): Command {
  return command
    .option('--encrypt-to <recipient>', 'encrypt to this age recipient (age1…) for this run instead of backup.encrypt, repeatable', collect)
    .option('--passphrase-file <file>', 'encrypt with the passphrase in this file (mode 0600) for this run instead of backup.encrypt')
    .option('--identity <file>', 'age identity file, for --verify of an archive encrypted to recipients', collect);
}

/** The identity or passphrase the flags (or $OPENCLAW_BACKUP_IDENTITY) name; undefined when none. Loose files are refused. */
export async function resolveDecryptKey(flags: DecryptFlags, env: NodeJS.ProcessEnv): Promise<DecryptionKey | undefined> {
  const identities = flags.identity?.length ? flags.identity : env[IDENTITY_ENV] && !flags.passphraseFile ? [env[IDENTITY_ENV]] : [];
  if (flags.identity?.length && flags.passphraseFile) throw new UsageError('--identity and --passphrase-file: pass one, not both');
  if (flags.passphraseFile) return { kind: 'passphrase', passphrase: await loadPassphraseFile(path.resolve(flags.passphraseFile)) };
  if (identities.length === 0) return undefined;
  const loaded: string[] = [];
  for (const file of identities) loaded.push(...(await loadIdentityFile(path.resolve(file))));
  return { kind: 'identities', identities: loaded };
}

/** --encrypt-to / --passphrase-file as a backup.encrypt override; undefined keeps the config. */
export function resolveEncryptOverride(flags: EncryptFlags): EncryptSettings | undefined {
  if (flags.encryptTo?.length && flags.passphraseFile) throw new UsageError('--encrypt-to and --passphrase-file: pass one, not both');
  if (flags.passphraseFile) return { passphraseFile: path.resolve(flags.passphraseFile) };
  if (!flags.encryptTo?.length) return undefined;
  flags.encryptTo.forEach((recipient, index) => {
    const problem = describeRecipientProblem(recipient);
    if (problem) throw new UsageError(`--encrypt-to #${index + 1}: ${problem}`);
  });
  return { recipients: flags.encryptTo };
}
