import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Compression } from '../../config/schema.js';
import { createCompressor } from './compression.js';

export interface EntryMeta {
  mode: number;
  mtime: Date;
  uid?: number;
  gid?: number;
}

/** How far the tar producer may run ahead of the compressor before it waits: keeps memory flat. */
const MAX_IN_FLIGHT = 8 * 1024 * 1024;

/**
 * A tar stream (tar-stream, PAX for long names) → compressor → file, with backpressure between the producer
 * and the compressor, and a SHA-256 of the bytes written. The file is opened exclusively with mode 0600.
 */
export class ArchiveWriter {
  private readonly pack = tar.pack();
  private produced = 0;
  private consumed = 0;
  private readonly flow = new EventEmitter();
  private readonly hash = createHash('sha256');
  private written = 0;
  private readonly done: Promise<void>;
  private failure: unknown;

  private constructor(
    private readonly handle: fs.FileHandle,
    compression: Compression,
    signal: AbortSignal | undefined,
  ) {
    const meter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.consumed += chunk.length;
        this.flow.emit('progress');
        cb(null, chunk);
      },
    });
    const digest = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.hash.update(chunk);
        this.written += chunk.length;
        cb(null, chunk);
      },
    });
    // flush: fsync before the stream closes the file, so a published archive is on disk.
    const out = handle.createWriteStream({ highWaterMark: 1024 * 1024, flush: true });
    this.done = pipeline(this.pack, meter, createCompressor(compression), digest, out, signal ? { signal } : {}).catch((error) => {
      this.failure = error;
      this.flow.emit('progress');
      throw error;
    });
    this.done.catch(() => {});
  }

  static async open(file: string, compression: Compression, signal?: AbortSignal): Promise<ArchiveWriter> {
    const handle = await fs.open(file, 'wx', 0o600);
    return new ArchiveWriter(handle, compression, signal);
  }

  private async waitForRoom(): Promise<void> {
    while (this.produced - this.consumed > MAX_IN_FLIGHT) {
      if (this.failure) throw this.failure;
      await once(this.flow, 'progress');
    }
    if (this.failure) throw this.failure;
  }

  private entry(header: Partial<tar.Header> & { name: string }, body?: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const cb = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body) this.pack.entry(header, body, cb);
      else this.pack.entry(header, cb);
    });
  }

  private base(meta: EntryMeta): Pick<tar.Header, 'mode' | 'mtime' | 'uid' | 'gid'> {
    return { mode: meta.mode & 0o7777, mtime: meta.mtime, uid: meta.uid ?? 0, gid: meta.gid ?? 0 };
  }

  async addDirectory(name: string, meta: EntryMeta): Promise<void> {
    await this.waitForRoom();
    this.produced += 512;
    await this.entry({ ...this.base(meta), name, type: 'directory' });
  }

  async addSymlink(name: string, target: string, meta: EntryMeta): Promise<void> {
    await this.waitForRoom();
    this.produced += 1024;
    await this.entry({ ...this.base(meta), name, type: 'symlink', linkname: target });
  }

  async addBuffer(name: string, data: Buffer, meta: EntryMeta): Promise<void> {
    await this.waitForRoom();
    this.produced += data.length + 1024;
    await this.entry({ ...this.base(meta), name, type: 'file', size: data.length }, data);
  }

  /** Streams `file` (which must not change: a staging copy or snapshot) as an entry of exactly `size` bytes. */
  async addFile(name: string, file: string, size: number, meta: EntryMeta): Promise<void> {
    await this.waitForRoom();
    let sink: ReturnType<tar.Pack['entry']> | undefined;
    // pack.entry throws when the pack was destroyed (abort, failure): the executor turns that into a rejection.
    const finished = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry({ ...this.base(meta), name, type: 'file', size }, (error) => (error ? reject(error) : resolve()));
    });
    // A destroyed pack makes the entry's sink emit 'error' and rejects `finished`; the failure is reported through
    // waitForRoom/finish, so neither may crash the process as unhandled.
    finished.catch(() => {});
    if (!sink) return finished;
    sink.on('error', () => {});
    for await (const item of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      const chunk = item as Buffer;
      this.produced += chunk.length;
      sink.write(chunk);
      await this.waitForRoom();
    }
    (sink as unknown as { end(): void }).end();
    await finished;
  }

  /** Ends the tar stream, waits for the file to be written, fsyncs and closes it. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    this.pack.finalize();
    try {
      await this.done;
    } finally {
      await this.handle.close().catch(() => {});
    }
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Stops writing after a failure or abort; the caller removes the partial file. */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.done.catch(() => {});
    await this.handle.close().catch(() => {});
  }
}
