import type { EncryptSettings } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { loadPassphraseFile, loadRecipientsFile, type EncryptionKey } from './keys.js';

export interface ResolveKeyContext {
  env: NodeJS.ProcessEnv;
  /** Expands "~" and relative paths in file settings. */
  resolvePath: (file: string) => string;
  /** Key path of the settings for error messages: `backup.encrypt`, or `--encrypt-to` for a flag. */
  keyPath: string;
}

/** Turns `backup.encrypt` (or its command-line override) into the key to encrypt with; undefined = plaintext. */
export async function resolveEncryptionKey(
  settings: EncryptSettings | undefined,
  context: ResolveKeyContext,
): Promise<EncryptionKey | undefined> {
  if (!settings) return undefined;
  if (settings.passphraseFile !== undefined) {
    return { kind: 'passphrase', passphrase: await loadPassphraseFile(context.resolvePath(settings.passphraseFile)) };
  }
  if (settings.passphraseEnv !== undefined) {
    const passphrase = context.env[settings.passphraseEnv];
    if (!passphrase)
      throw new ConfigError(`${context.keyPath}.passphraseEnv: environment variable ${settings.passphraseEnv} is not set or empty`);
    return { kind: 'passphrase', passphrase };
  }
  const recipients = [...(settings.recipients ?? [])];
  if (settings.recipientsFile !== undefined) recipients.push(...(await loadRecipientsFile(context.resolvePath(settings.recipientsFile))));
  if (recipients.length === 0) throw new ConfigError(`${context.keyPath}: no recipients`);
  return { kind: 'recipients', recipients };
}
