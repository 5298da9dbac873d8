/*
 * The archive module: our archive format and its writer. It walks the source trees, takes SQLite snapshots with the
 * online backup API, and writes tar entries through the compressor (and age) with the header and manifest. It knows
 * no store and no reader; stores call it to write.
 */
import { createHash, type Hash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { performance } from 'node:perf_hooks';
import fs from 'node:fs/promises';
import { Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../config/schema.js';
import { BackupError } from '../../errors.js';
import { createCompressor } from './compression.js';
import { BLOCK, encodeTarHeader, paddingFor, type TarHeader } from './tar-header.js';
import { FileSink, StreamSink } from './file-sink.js';
import { sparsePaxRecords } from './sparse-map.js';
import { ChunkPool, TarPack } from './tar-pack.js';
import { currentTimings, type Timings } from './timings.js';

export interface EntryMeta {
  mode: number;
  /** A Date or epoch milliseconds (see TarHeader). */
  mtime: Date | number;
  uid?: number;
  gid?: number;
}

/**
 * How far the tar producer may run ahead of the compressor before it waits: keeps memory flat. Two 1 MiB chunks
 * queued (the compressor holds one per lane besides) keep the lanes busy; every chunk more is a megabyte of peak
 * RSS and no speed.
 */
const MAX_IN_FLIGHT = 1 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(BLOCK);

/**
 * A tar stream (ustar/PAX, see tar-header.ts) → compressor → file, with backpressure between the producer
 * and the compressor, and a SHA-256 of the bytes written. The file is opened exclusively with mode 0600.
 * Entries are appended synchronously; an add* call only waits when the compressor is behind. The stages are only
 * those that do something (no pass-through stage for `none` or without encryption): each stage holds a chunk or two.
 */
export class ArchiveWriter {
  private readonly pack: TarPack;
  private consumed = 0;
  private readonly flow = new EventEmitter();
  private readonly hash = createHash('sha256');
  private written = 0;
  private readonly done: Promise<void>;
  private failure: unknown;
  /** Where file data is read before it is copied into the tar stream: one buffer for the whole archive. */
  private readBuffer: Buffer | undefined;

  private constructor(
    private readonly pool: ChunkPool,
    private readonly handle: fs.FileHandle | undefined,
    makeSink: (observe: (chunk: Buffer) => void) => Writable,
    compression: Compression,
    signal: AbortSignal | undefined,
    encrypt: Duplex | undefined,
    private readonly timings: Timings | undefined,
  ) {
    this.pack = new TarPack(pool);
    // What left the tar stream for the next stage: the producer waits while too much is still queued in it.
    this.pack.on('data', (chunk: Buffer) => {
      this.consumed += chunk.length;
      this.flow.emit('progress');
    });
    const sink = makeSink((chunk) => {
      const started = performance.now();
      this.hash.update(chunk);
      this.written += chunk.length;
      this.timings?.add('archiveHash', performance.now() - started);
    });
    const compressor = createCompressor(compression, this.pool, timings);
    const stages = [this.pack, ...(compressor ? [compressor] : []), ...(encrypt ? [encrypt] : []), sink];
    this.done = pipeline(stages, signal ? { signal } : {}).catch((error: unknown) => {
      this.failure = error;
      this.flow.emit('progress');
      throw error;
    });
    this.done.catch(() => {});
  }

  /**
   * `target`: an open file (written, fsynced and closed by finish) or a byte stream such as a child's stdin (ended
   * by finish). `encrypt`: an optional stage after the compressor (age), so the plaintext never reaches the target.
   */
  static async open(
    target: fs.FileHandle | Writable,
    compression: Compression,
    signal?: AbortSignal,
    encrypt?: Duplex,
    timings: Timings | undefined = currentTimings(),
  ): Promise<ArchiveWriter> {
    const pool = new ChunkPool();
    if (target instanceof Writable)
      return new ArchiveWriter(pool, undefined, (observe) => new StreamSink(target, pool, observe), compression, signal, encrypt, timings);
    const sink = (observe: (chunk: Buffer) => void) => new FileSink(target, pool, observe, timings);
    return new ArchiveWriter(pool, target, sink, compression, signal, encrypt, timings);
  }

  private async waitForRoom(): Promise<void> {
    const started = performance.now();
    while (this.pack.pushed - this.consumed > MAX_IN_FLIGHT) {
      if (this.failure) throw this.failure;
      await once(this.flow, 'progress');
    }
    this.timings?.add('waitOutput', performance.now() - started);
    if (this.failure) throw this.failure;
  }

  /** Copies into the tar stream, timed as packing. */
  private append(data: Uint8Array): void {
    const started = performance.now();
    this.pack.append(data);
    this.timings?.add('pack', performance.now() - started);
  }

  private roomy(): boolean {
    return this.pack.pushed - this.consumed <= MAX_IN_FLIGHT && !this.failure;
  }

  private header(name: string, meta: EntryMeta, rest: Pick<TarHeader, 'type' | 'size' | 'pax'> & { linkname?: string }): void {
    this.append(encodeTarHeader({ name, mode: meta.mode & 0o7777, mtime: meta.mtime, uid: meta.uid ?? 0, gid: meta.gid ?? 0, ...rest }));
  }

  private pad(size: number): void {
    const padding = paddingFor(size);
    if (padding > 0) this.append(ZEROS.subarray(0, padding));
  }

  async addDirectory(name: string, meta: EntryMeta): Promise<void> {
    if (!this.roomy()) await this.waitForRoom();
    this.header(name, meta, { type: 'directory', size: 0 });
  }

  async addSymlink(name: string, target: string, meta: EntryMeta): Promise<void> {
    if (!this.roomy()) await this.waitForRoom();
    this.header(name, meta, { type: 'symlink', size: 0, linkname: target });
  }

  /** `data` is copied before this returns: the caller may reuse it. */
  async addBuffer(name: string, data: Buffer, meta: EntryMeta): Promise<void> {
    if (!this.roomy()) await this.waitForRoom();
    this.header(name, meta, { type: 'file', size: data.length });
    // A file of a few MiB goes in chunk by chunk, waiting for room between them, like a streamed one.
    for (let offset = 0; offset < data.length; offset += READ_CHUNK) {
      if (offset > 0 && !this.roomy()) await this.waitForRoom();
      this.append(offset === 0 && data.length <= READ_CHUNK ? data : data.subarray(offset, offset + READ_CHUNK));
    }
    this.pad(data.length);
  }

  /**
   * Streams `file` (which must not change: a staging copy or snapshot) as an entry of exactly `size` bytes and
   * returns the SHA-256 of what was stored.
   */
  async addFile(name: string, file: string, size: number, meta: EntryMeta): Promise<string> {
    if (!this.roomy()) await this.waitForRoom();
    const hash = createHash('sha256');
    const handle = await fs.open(file, 'r');
    try {
      this.header(name, meta, { type: 'file', size });
      await this.appendFrom(handle, file, size, hash);
    } finally {
      await handle.close();
    }
    this.pad(size);
    return hash.digest('hex');
  }

  /**
   * A sparse file in GNU tar's PAX sparse format 1.0 (see sparse-map.ts): the map, then `dataFile` (the data regions,
   * concatenated). Returns the SHA-256 of the stored bytes (map + data) and their size.
   */
  async addSparseFile(
    name: string,
    sparse: { map: Buffer; realSize: number },
    dataFile: string,
    dataSize: number,
    meta: EntryMeta,
  ): Promise<{ sha256: string; size: number }> {
    if (!this.roomy()) await this.waitForRoom();
    const hash = createHash('sha256');
    const size = sparse.map.length + dataSize;
    const handle = await fs.open(dataFile, 'r');
    try {
      this.header(name, meta, { type: 'file', size, pax: sparsePaxRecords(name, sparse.realSize) });
      hash.update(sparse.map);
      this.append(sparse.map);
      await this.appendFrom(handle, dataFile, dataSize, hash);
    } finally {
      await handle.close();
    }
    this.pad(size);
    return { sha256: hash.digest('hex'), size };
  }

  private async appendFrom(handle: fs.FileHandle, file: string, size: number, hash: Hash): Promise<void> {
    const chunk = (this.readBuffer ??= Buffer.allocUnsafeSlow(READ_CHUNK));
    let offset = 0;
    while (offset < size) {
      const reading = performance.now();
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - offset), offset);
      const hashing = performance.now();
      this.timings?.add('read', hashing - reading);
      if (bytesRead === 0) throw new BackupError('failure', `${file} shrank to ${offset} bytes while it was archived (expected ${size})`);
      const data = chunk.subarray(0, bytesRead);
      hash.update(data);
      this.timings?.add('hash', performance.now() - hashing);
      this.append(data);
      offset += bytesRead;
      if (!this.roomy()) await this.waitForRoom();
    }
  }

  /** Ends the tar stream, waits for the file to be written, fsyncs and closes it. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    this.pack.finalize();
    try {
      await this.done;
    } finally {
      await this.handle?.close().catch(() => {});
    }
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Stops writing after a failure or abort; the caller removes the partial file. */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.done.catch(() => {});
    await this.handle?.close().catch(() => {});
  }
}
