/**
 * GNU tar's PAX sparse format 1.0, the one `tar --sparse --format=pax` writes: PAX records GNU.sparse.major=1,
 * GNU.sparse.minor=0, GNU.sparse.name (the real name) and GNU.sparse.realsize; the entry's data starts with the map
 * ("N\n" then "offset\nsize\n" for each of N data regions, zero-padded to 512 bytes), then the regions' bytes.
 * A file ending in a hole ends its map with a region of size 0 at the real size (tar truncates there).
 */

export interface SparseRegion {
  offset: number;
  size: number;
}

const BLOCK = 512;
/** More regions than this is not a sparse file worth the format, and a map a reader need not hold. */
export const MAX_SPARSE_REGIONS = 1_000_000;

export function sparsePaxRecords(name: string, realSize: number): Array<[string, string]> {
  return [
    ['GNU.sparse.major', '1'],
    ['GNU.sparse.minor', '0'],
    ['GNU.sparse.name', name],
    ['GNU.sparse.realsize', String(realSize)],
  ];
}

export function encodeSparseMap(regions: readonly SparseRegion[], realSize: number): Buffer {
  const all = [...regions];
  const last = all.at(-1);
  if (!last || last.offset + last.size < realSize) all.push({ offset: realSize, size: 0 });
  const text = `${all.length}\n${all.map((r) => `${r.offset}\n${r.size}\n`).join('')}`;
  const length = Math.ceil(Buffer.byteLength(text) / BLOCK) * BLOCK;
  const out = Buffer.alloc(length);
  out.write(text, 0, 'latin1');
  return out;
}

const DECIMAL = /^(0|[1-9]\d{0,15})$/;

function decimal(value: string | undefined): number | undefined {
  if (value === undefined || !DECIMAL.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The sparse description of an entry from its PAX records: undefined for an ordinary entry, a reason when it uses
 * a sparse format we do not read, or names itself differently from its path (GNU tar would extract it elsewhere).
 */
export function readSparseHeader(
  pax: Record<string, string> | undefined,
  name: string,
): { realSize: number } | { reason: string } | undefined {
  if (!pax || !Object.keys(pax).some((key) => key.startsWith('GNU.sparse.'))) return undefined;
  if (pax['GNU.sparse.major'] !== '1' || pax['GNU.sparse.minor'] !== '0') {
    return {
      reason: `unsupported sparse format (GNU.sparse ${pax['GNU.sparse.major'] ?? '0'}.${pax['GNU.sparse.minor'] ?? '?'}; only 1.0 is read)`,
    };
  }
  const sparseName = (pax['GNU.sparse.name'] ?? '').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (sparseName !== name)
    return {
      reason: `sparse entry names itself ${JSON.stringify(pax['GNU.sparse.name'] ?? '')}, not its path: GNU tar would extract it elsewhere`,
    };
  const realSize = decimal(pax['GNU.sparse.realsize']);
  if (realSize === undefined) return { reason: 'sparse entry without a valid GNU.sparse.realsize' };
  return { realSize };
}

/**
 * Turns a sparse entry's stored bytes into positioned writes, checking the map on the way: regions in order, not
 * overlapping, inside the real size, and exactly as many data bytes as the map announces. A problem stops the
 * output and is kept in `problem` (the caller reports it); nothing is thrown.
 */
export class SparseDecoder {
  problem: string | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private regions: SparseRegion[] | undefined;
  private mapLength = 0;
  private region = 0;
  private filled = 0;

  constructor(private readonly realSize: number) {}

  private fail(reason: string): Array<{ offset: number; data: Buffer }> {
    this.problem ??= reason;
    return [];
  }

  /** Newlines seen in the map so far: the text is complete after 2N + 1 of them. */
  private newlines = 0;
  private count: number | undefined;

  /** Parses the map once its text (and padding) is complete; returns the bytes after it, or undefined until then. */
  private parseMap(chunk: Buffer): Buffer | undefined {
    for (const byte of chunk) if (byte === 0x0a) this.newlines += 1;
    if (this.newlines === 0 || (this.count !== undefined && this.newlines < 2 * this.count + 1)) return undefined;
    const all = this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head);
    this.head = [all];
    const count = decimal(all.subarray(0, all.indexOf(0x0a)).toString('latin1'));
    if (count === undefined || count > MAX_SPARSE_REGIONS) {
      this.fail('sparse map: invalid region count');
      return undefined;
    }
    this.count = count;
    if (this.newlines < 2 * count + 1) return undefined;
    let textLength = 0;
    for (let seen = 0; seen < 2 * count + 1; textLength += 1) if (all[textLength] === 0x0a) seen += 1;
    this.mapLength = Math.ceil(textLength / BLOCK) * BLOCK;
    if (all.length < this.mapLength) return undefined;
    const lines = all
      .subarray(0, textLength - 1)
      .toString('latin1')
      .split('\n');
    const regions: SparseRegion[] = [];
    let end = 0;
    for (let i = 0; i < count; i += 1) {
      const offset = decimal(lines[1 + 2 * i]);
      const size = decimal(lines[2 + 2 * i]);
      if (offset === undefined || size === undefined) {
        this.fail('sparse map: a region is not two decimal numbers');
        return undefined;
      }
      if (offset < end || offset + size > this.realSize) {
        this.fail('sparse map: regions overlap, go backwards or pass the real size');
        return undefined;
      }
      regions.push({ offset, size });
      end = offset + size;
    }
    if (all.subarray(textLength, this.mapLength).some((byte) => byte !== 0)) {
      this.fail('sparse map: padding is not zero');
      return undefined;
    }
    this.regions = regions.filter((r) => r.size > 0);
    this.head = [];
    return all.subarray(this.mapLength);
  }

  /** The writes a chunk of stored bytes makes. */
  push(chunk: Buffer): Array<{ offset: number; data: Buffer }> {
    if (this.problem) return [];
    let data = chunk;
    if (!this.regions) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes > 64 * MAX_SPARSE_REGIONS) return this.fail('sparse map: larger than any map this tool reads');
      const rest = this.parseMap(chunk);
      if (!rest) return [];
      data = rest;
    }
    const out: Array<{ offset: number; data: Buffer }> = [];
    const regions = this.regions as SparseRegion[];
    while (data.length > 0) {
      const region = regions[this.region];
      if (!region) return this.fail('sparse entry holds more data than its map announces');
      const take = Math.min(region.size - this.filled, data.length);
      out.push({ offset: region.offset + this.filled, data: data.subarray(0, take) });
      this.filled += take;
      data = data.subarray(take);
      if (this.filled === region.size) {
        this.region += 1;
        this.filled = 0;
      }
    }
    return out;
  }

  /** Call at the end of the entry: a map never completed, or regions left unfilled, are a problem. */
  finish(): void {
    if (this.problem) return;
    if (!this.regions) this.fail('sparse entry ends inside its map');
    else if (this.region < this.regions.length) this.fail('sparse entry holds less data than its map announces');
  }
}

/**
 * Passes a sparse entry's stored bytes through unchanged (for hashing) while the decoder checks them and, with
 * `write`, places each data region at its offset. The decoder's `problem` says whether the map held.
 */
export async function* tapSparse(
  stream: AsyncIterable<unknown>,
  decoder: SparseDecoder,
  write?: (offset: number, data: Buffer) => Promise<void>,
): AsyncGenerator<Buffer> {
  for await (const item of stream) {
    const chunk = item as Buffer;
    for (const piece of decoder.push(chunk)) await write?.(piece.offset, piece.data);
    yield chunk;
  }
  decoder.finish();
}
