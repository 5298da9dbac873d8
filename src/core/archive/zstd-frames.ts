import { Transform, type TransformCallback } from 'node:stream';

const ZSTD_MAGIC = 0xfd2fb528;
const FCS_SIZES = [0, 2, 4, 8];
const DID_SIZES = [0, 1, 2, 4];

type State = 'magic' | 'frameHeader' | 'skipHeader' | 'skip' | 'blockHeader' | 'body';

function isSkippable(magic: number): boolean {
  return (magic & 0xfffffff0) === 0x184d2a50;
}

/**
 * Cuts a zstd byte stream so that no chunk crosses a frame boundary, and drops skippable frames. Node 24's zstd
 * decompressor stops (or fails with "Unknown frame descriptor") when one write holds the end of a frame and the
 * start of the next, yet decodes frame after frame when every write ends at or before a frame's end. This walks
 * the frame and block headers (RFC 8878 §3.1) without decoding anything, so any conforming multi-frame file (pzstd,
 * `split` + zstd + cat, our parallel frames) is read to its end, and a file cut inside a frame is an error here.
 */
export class ZstdFrameSplitter extends Transform {
  private state: State = 'magic';
  private readonly head = Buffer.alloc(18);
  private headLength = 0;
  private need = 4;
  /** Bytes left of a block body (+ checksum), or of a skippable frame. */
  private remaining = 0;
  private lastBlock = false;
  private checksum = false;
  private readonly blockHead = Buffer.alloc(3);
  private blockHeadLength = 0;
  frames = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.split(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private split(chunk: Buffer): void {
    let pos = 0;
    let from = 0;
    const emit = (end: number) => {
      if (end > from) this.push(chunk.subarray(from, end));
      from = end;
    };
    while (pos < chunk.length) {
      switch (this.state) {
        case 'magic':
        case 'frameHeader':
        case 'skipHeader': {
          // Header bytes are held back until we know the frame is not a skippable one.
          if (this.headLength === 0) emit(pos);
          const take = Math.min(this.need - this.headLength, chunk.length - pos);
          chunk.copy(this.head, this.headLength, pos, pos + take);
          this.headLength += take;
          pos += take;
          from = pos;
          if (this.headLength === this.need) this.onHeader();
          break;
        }
        case 'skip': {
          const take = Math.min(this.remaining, chunk.length - pos);
          pos += take;
          from = pos;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'magic';
          break;
        }
        case 'blockHeader': {
          const take = Math.min(3 - this.blockHeadLength, chunk.length - pos);
          chunk.copy(this.blockHead, this.blockHeadLength, pos, pos + take);
          this.blockHeadLength += take;
          pos += take;
          if (this.blockHeadLength === 3) this.onBlockHeader();
          if ((this.state as State) === 'magic') emit(pos);
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, chunk.length - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.lastBlock) {
              this.state = 'magic';
              this.frames += 1;
              emit(pos);
            } else this.state = 'blockHeader';
          }
          break;
        }
      }
    }
    if (this.state !== 'magic' && this.state !== 'frameHeader' && this.state !== 'skipHeader') emit(pos);
  }

  private onHeader(): void {
    if (this.state === 'magic') {
      const magic = this.head.readUInt32LE(0);
      if (magic === ZSTD_MAGIC) {
        this.state = 'frameHeader';
        this.need = 5;
      } else if (isSkippable(magic)) {
        this.state = 'skipHeader';
        this.need = 8;
      } else {
        throw new Error(`zstd: unknown frame magic 0x${magic.toString(16)} after ${this.frames} frame(s)`);
      }
      return;
    }
    if (this.state === 'skipHeader') {
      this.remaining = this.head.readUInt32LE(4);
      this.resetHead();
      this.state = this.remaining > 0 ? 'skip' : 'magic';
      return;
    }
    const descriptor = this.head[4] as number;
    if (descriptor & 0x08) throw new Error('zstd: reserved bit set in a frame header');
    const single = (descriptor >> 5) & 1;
    const size =
      5 + (single ? 0 : 1) + (DID_SIZES[descriptor & 3] ?? 0) + (descriptor >> 6 === 0 ? single : (FCS_SIZES[descriptor >> 6] ?? 0));
    if (this.need < size) {
      this.need = size;
      return;
    }
    this.checksum = Boolean(descriptor & 0x04);
    this.push(Buffer.from(this.head.subarray(0, this.headLength)));
    this.resetHead();
    this.state = 'blockHeader';
  }

  private onBlockHeader(): void {
    const value = this.blockHead.readUIntLE(0, 3);
    this.blockHeadLength = 0;
    this.lastBlock = (value & 1) === 1;
    const type = (value >> 1) & 3;
    if (type === 3) throw new Error('zstd: reserved block type');
    this.remaining = (type === 1 ? 1 : value >>> 3) + (this.lastBlock && this.checksum ? 4 : 0);
    if (this.remaining > 0) this.state = 'body';
    else if (this.lastBlock) {
      this.state = 'magic';
      this.frames += 1;
    }
  }

  private resetHead(): void {
    this.headLength = 0;
    this.need = 4;
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'magic' || this.headLength > 0) callback(new Error('unexpected end of zstd data: the file ends inside a frame'));
    else callback();
  }
}
