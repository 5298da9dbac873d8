import tar from 'tar-stream';
import { openArchive } from '../archive/open-archive.js';
import { labelOf, type ArchiveInput } from '../archive/source.js';
import { FORMAT_NAME, HEADER_PATH, type ArchiveHeader } from '../archive/manifest.js';
import { IntegrityError } from '../../errors.js';
import type { DecryptionKey } from './keys.js';

/** Decrypts just far enough to read our header entry (the first), then stops reading. */
export async function readEncryptedHeader(input: ArchiveInput, key: DecryptionKey): Promise<ArchiveHeader> {
  const file = labelOf(input);
  const opened = await openArchive(input, { decrypt: key });
  const extract = tar.extract();
  opened.tar.on('error', (error) => extract.destroy(error));
  opened.tar.pipe(extract);
  try {
    for await (const entry of extract) {
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
    opened.tar.destroy();
    extract.destroy();
  }
}
