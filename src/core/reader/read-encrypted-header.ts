import { labelOf, toSource, type ArchiveInput } from './source.js';
import { FORMAT_NAME, HEADER_PATH, type ArchiveHeader } from '../archive/manifest.js';
import { IntegrityError } from '../../errors.js';
import type { DecryptionKey } from '../crypto/keys.js';

/** Decrypts just far enough to read our header entry (the first), then stops reading. */
export async function readEncryptedHeader(input: ArchiveInput, key: DecryptionKey): Promise<ArchiveHeader> {
  const file = labelOf(input);
  const opened = await toSource(input).openEntries({ decrypt: key, documentsOnly: true });
  try {
    for await (const entry of opened) {
      if (entry.header.name !== HEADER_PATH) throw new IntegrityError(`${file}: first entry is ${entry.header.name}, not ${HEADER_PATH}`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      let header: ArchiveHeader | undefined;
      try {
        header = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ArchiveHeader;
      } catch {
        throw new IntegrityError(`${file}: header entry is not JSON`);
      }
      if (header?.format !== FORMAT_NAME) throw new IntegrityError(`${file}: header is not an ${FORMAT_NAME} header`);
      return header;
    }
    throw new IntegrityError(`${file}: no entries`);
  } finally {
    await opened.close();
  }
}
