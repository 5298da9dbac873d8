import { Duplex } from 'node:stream';
import type { ReadableStream as WebReadableStream, WritableStream as WebWritableStream } from 'node:stream/web';
import { ageModule } from '../../config/age-module.js';
import type { EncryptionKey } from './keys.js';

/**
 * A pipeline stage that turns bytes into a standard age file (binary, 64 KiB STREAM chunks): what goes in
 * never leaves the process unencrypted, and only one chunk is buffered, so memory stays flat.
 */
export async function createEncryptStage(key: EncryptionKey): Promise<Duplex> {
  const encrypter = new (ageModule().Encrypter)();
  if (key.kind === 'passphrase') encrypter.setPassphrase(key.passphrase);
  else for (const recipient of key.recipients) encrypter.addRecipient(recipient);
  const plaintext = new TransformStream<Uint8Array, Uint8Array>();
  const ciphertext = await encrypter.encrypt(plaintext.readable);
  return Duplex.fromWeb(
    { readable: ciphertext as unknown as WebReadableStream, writable: plaintext.writable as unknown as WebWritableStream },
    { objectMode: false },
  );
}
