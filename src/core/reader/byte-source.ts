import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BackupError, describeFsError, IntegrityError } from '../../errors.js';

/** An archive's bytes as stored (compressed and/or age-encrypted), from the first byte: what a tar reader opens. */
export interface ByteSource {
  readonly label: string;
  open(): Promise<{ stream: Readable; size: number | undefined }>;
}

/**
 * Small enough that a chunk is done with before the young generation (1 MiB, see node-flags.ts) is collected twice:
 * a 1 MiB chunk outlived ~1,000 small entries and was promoted, and dead chunks then piled up in the old generation
 * until a full collection (200,000 files: ~20 MB less peak RSS together with gunzip's 64 KiB output, no more CPU).
 */
const READ_CHUNK = 64 * 1024;

/** An archive file's bytes. */
export function fileBytes(file: string): ByteSource {
  return {
    label: file,
    async open() {
      let handle: fs.FileHandle;
      try {
        // O_NONBLOCK: a FIFO or device given as the archive is refused below instead of blocking the open forever
        // (a regular file ignores the flag).
        handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch (error) {
        throw new BackupError('failure', `cannot open ${file}: ${describeFsError(error)}`, { cause: error });
      }
      const stat = await handle.stat().catch(async (error: unknown) => {
        await handle.close();
        throw error;
      });
      if (!stat.isFile()) {
        await handle.close();
        throw new IntegrityError(`${file} is not a regular file`);
      }
      return { stream: createReadStream('', { fd: handle, highWaterMark: READ_CHUNK, autoClose: true }), size: stat.size };
    },
  };
}

/**
 * Reads at least `n` bytes (fewer at the end of the stream) without consuming them: they are put back with
 * unshift, so the stream still yields everything from the first byte. A stream that ended early is replaced.
 * An error that arrives after this returns and before the caller listens is kept in `stream.errored` (a listener
 * stays attached so it never goes unhandled); pipe through `decompress`, which checks for it.
 */
export async function readHead(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  let failure: Error | undefined;
  const keep = (error: Error) => {
    failure ??= error;
  };
  stream.on('error', keep);
  while (length < n && !ended) {
    if (failure) throw failure;
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      continue;
    }
    ended = await new Promise<boolean>((resolve) => {
      const finish = (value: boolean) => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        resolve(value);
      };
      const onReadable = () => finish(false);
      const onEnd = () => finish(true);
      const onError = () => finish(false);
      stream.once('readable', onReadable);
      stream.once('end', onEnd);
      stream.once('error', onError);
    });
  }
  if (failure) throw failure;
  const head = Buffer.concat(chunks);
  if (ended) return { head, stream: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) stream.unshift(head);
  return { head, stream };
}

/**
 * Reports the bytes a stored-bytes stream yields, for progress against the stored size. A second 'data' listener:
 * pipe and toWeb consumers, attached in the same tick, get the same chunks.
 */
export function countReads(raw: Readable, onRead: ((bytes: number) => void) | undefined): void {
  if (!onRead) return;
  let read = 0;
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    onRead(read);
  });
}
