import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ageModule } from '../../config/age-module.js';
import { BackupError, describeFsError, IntegrityError, UsageError } from '../../errors.js';
import type { DecryptionKey } from './keys.js';

const SCRYPT_STANZA = Buffer.from('\n-> scrypt ');

/** True when an age header (its first bytes suffice: a scrypt stanza is always the only one) is passphrase mode. */
export function isPassphraseHeader(head: Buffer): boolean {
  return head.includes(SCRYPT_STANZA);
}

/**
 * One line saying why the header did not open. Never the library's message: some of its parse errors quote input.
 */
function describeHeaderError(error: unknown, key: DecryptionKey, passphraseHeader: boolean): string {
  const message = error instanceof Error ? error.message : '';
  if (/no identity matched/.test(message)) {
    if (key.kind === 'passphrase')
      return passphraseHeader ? 'wrong passphrase' : 'it is encrypted to age recipients, not a passphrase: pass --identity';
    return passphraseHeader
      ? 'it is passphrase-encrypted: pass --passphrase-file'
      : 'no identity given matches any of its recipients (wrong key, or a modified header)';
  }
  if (/header HMAC/.test(message)) return 'age header failed authentication: the archive was modified';
  if (/work factor is too high/.test(message)) return 'scrypt work factor above 2^20 is refused';
  return 'age header is corrupt or truncated';
}

function describePayloadError(error: unknown): BackupError {
  if (error instanceof BackupError) return error;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && error.code.startsWith('E')) {
    return new BackupError('failure', `cannot read archive: ${describeFsError(error)}`, { cause: error });
  }
  return new IntegrityError('encrypted data failed authentication: the archive is truncated or was modified', { cause: error });
}

/**
 * Decrypts an age stream. The header is checked before this resolves (wrong key → IntegrityError); each 64 KiB
 * chunk is authenticated before any of its plaintext is passed on, so corrupt plaintext is never emitted —
 * a truncated or modified payload errors the returned stream with an IntegrityError (whose message the reader
 * prefixes with the file, as verify does for every stream error).
 */
export async function decryptStream(ciphertext: Readable, key: DecryptionKey, head: Buffer, label: string): Promise<Readable> {
  const decrypter = new (ageModule().Decrypter)();
  if (key.kind === 'passphrase') decrypter.addPassphrase(key.passphrase);
  else for (const identity of key.identities) decrypter.addIdentity(identity);
  let plaintext: ReadableStream<Uint8Array>;
  try {
    plaintext = await decrypter.decrypt(Readable.toWeb(ciphertext) as unknown as ReadableStream<Uint8Array>);
  } catch (error) {
    ciphertext.destroy();
    if (error && typeof error === 'object' && 'code' in error) throw describePayloadError(error);
    const passphraseHeader = isPassphraseHeader(head);
    const reason = `${label}: cannot decrypt: ${describeHeaderError(error, key, passphraseHeader)}`;
    // A key of the other kind (a passphrase for a recipients archive, or the reverse) is a usage error, not damage.
    if (/no identity matched/.test(error instanceof Error ? error.message : '') && (key.kind === 'passphrase') !== passphraseHeader)
      throw new UsageError(reason, { cause: error });
    throw new IntegrityError(reason, { cause: error });
  }
  const source = Readable.fromWeb(plaintext as unknown as WebReadableStream);
  const authenticated = new PassThrough();
  source.on('error', (error) => {
    authenticated.destroy(describePayloadError(error));
    ciphertext.destroy();
  });
  authenticated.on('close', () => {
    source.destroy();
    ciphertext.destroy();
  });
  return source.pipe(authenticated);
}
