import type { EncryptSettings } from '../../config/schema.js';
import { IDENTITY_ENV, loadIdentityFile, type DecryptionKey } from './keys.js';
import { resolveEncryptionKey, type ResolveKeyContext } from './resolve-key.js';

/**
 * The key to re-read a just-made archive with: the passphrase it was encrypted with, else the identity files given
 * (or $OPENCLAW_BACKUP_IDENTITY). Undefined when encrypted to recipients and no identity is at hand: a server
 * that only holds public keys cannot verify what it wrote.
 */
export async function keyToVerify(
  settings: EncryptSettings,
  context: ResolveKeyContext,
  identityFiles: string[] = [],
): Promise<DecryptionKey | undefined> {
  if (settings.passphraseFile !== undefined || settings.passphraseEnv !== undefined) {
    const key = await resolveEncryptionKey(settings, context);
    if (key?.kind === 'passphrase') return key;
  }
  const files = identityFiles.length ? identityFiles : context.env[IDENTITY_ENV] ? [context.env[IDENTITY_ENV]] : [];
  if (files.length === 0) return undefined;
  const identities: string[] = [];
  for (const file of files) identities.push(...(await loadIdentityFile(context.resolvePath(file))));
  return { kind: 'identities', identities };
}
