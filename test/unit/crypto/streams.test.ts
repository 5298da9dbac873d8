import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptStream } from '../../../src/core/crypto/decrypt-stream.js';
import { createEncryptStage } from '../../../src/core/crypto/encrypt-stream.js';
import type { DecryptionKey, EncryptionKey } from '../../../src/core/crypto/keys.js';
import { IntegrityError } from '../../../src/errors.js';

let identity: string;
let recipient: string;
beforeAll(async () => {
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
});

function source(data: Buffer, chunk = 16 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
    { objectMode: false },
  );
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function encrypt(data: Buffer, key: EncryptionKey): Promise<Buffer> {
  return collect(source(data).pipe(await createEncryptStage(key)));
}

async function decrypt(ciphertext: Buffer, key: DecryptionKey): Promise<Buffer> {
  return collect(await decryptStream(source(ciphertext, 100_000), key, ciphertext.subarray(0, 512), 'test.age'));
}

const CHUNK = 64 * 1024;

describe('age streams', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])(
    'round-trips %i bytes and the reference decrypter agrees',
    async (size) => {
      const data = randomBytes(size);
      const ciphertext = await encrypt(data, { kind: 'recipients', recipients: [recipient] });
      expect(ciphertext.subarray(0, 22).toString('latin1')).toBe('age-encryption.org/v1\n');
      expect((await decrypt(ciphertext, { kind: 'identities', identities: [identity] })).equals(data)).toBe(true);
      const reference = new Decrypter();
      reference.addIdentity(identity);
      expect(Buffer.from(await reference.decrypt(new Uint8Array(ciphertext))).equals(data)).toBe(true);
    },
  );

  it('refuses a payload cut at a chunk boundary or mid-chunk, and any flipped byte', async () => {
    const data = randomBytes(3 * CHUNK + 100);
    const ciphertext = await encrypt(data, { kind: 'recipients', recipients: [recipient] });
    const key: DecryptionKey = { kind: 'identities', identities: [identity] };
    const headerEnd = ciphertext.indexOf('\n---') + 1;
    const payloadStart = ciphertext.indexOf('\n', headerEnd) + 1 + 16;
    const variants = [
      ciphertext.subarray(0, payloadStart + CHUNK + 16),
      ciphertext.subarray(0, payloadStart + 2 * (CHUNK + 16)),
      ciphertext.subarray(0, ciphertext.length - 1),
      ciphertext.subarray(0, payloadStart),
      ...[payloadStart - 1, payloadStart + 10, payloadStart + CHUNK + 100, ciphertext.length - 1].map((at) => {
        const copy = Buffer.from(ciphertext);
        copy[at] = (copy[at] as number) ^ 0x01;
        return copy;
      }),
    ];
    for (const variant of variants) {
      const error = await decrypt(variant, key).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toBe('encrypted data failed authentication: the archive is truncated or was modified');
    }
  });

  it('passphrase mode round-trips and a wrong passphrase is refused before any output', async () => {
    const data = randomBytes(CHUNK + 5);
    const ciphertext = await encrypt(data, { kind: 'passphrase', passphrase: 'dummy passphrase 0000' });
    expect(ciphertext.subarray(0, 512).includes('\n-> scrypt ')).toBe(true);
    expect((await decrypt(ciphertext, { kind: 'passphrase', passphrase: 'dummy passphrase 0000' })).equals(data)).toBe(true);
    const wrong = await decrypt(ciphertext, { kind: 'passphrase', passphrase: 'nope' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((wrong as Error).message).toBe('test.age: cannot decrypt: wrong passphrase');
    const identityForScrypt = await decrypt(ciphertext, { kind: 'identities', identities: [identity] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((identityForScrypt as Error).message).toBe('test.age: cannot decrypt: it is passphrase-encrypted: pass --passphrase-file');
  }, 120_000);
});
