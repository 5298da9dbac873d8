import type { Readable } from 'node:stream';

const BLOCK = 512;
/** PAX headers larger than this are refused (tar-stream's own limit for extended headers is 1 MiB too). */
const MAX_PAX = 1024 * 1024;
const TYPE_PAX = 0x78; // 'x'
const TYPE_PAX_GLOBAL = 0x67; // 'g'
const TYPE_GNU_LONG_NAME = 0x4c; // 'L'
const TYPE_GNU_LONG_LINK = 0x4b; // 'K'
const TYPE_DIRECTORY = 0x35; // '5'

/** The header's checksum field matches its bytes (the field itself counted as spaces), as tar-stream requires. */
function checksumMatches(header: Buffer): boolean {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i += 1) if (i < 148 || i >= 156) sum += header[i] as number;
  const text = header
    .subarray(148, 156)
    .toString('latin1')
    .replace(/[\0 ].*$/s, '');
  return text !== '' && parseInt(text, 8) === sum;
}

/** The size field: octal digits, or base-256 when its first byte has the high bit set (GNU, sizes past 8 GiB). */
function sizeOf(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] as number) & 0x80) {
    let value = (field[0] as number) & 0x7f;
    for (let i = 1; i < field.length; i += 1) value = value * 256 + (field[i] as number);
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ].*$/s, '');
  return text ? parseInt(text, 8) : 0;
}

/**
 * Checks the records of a PAX extended header as POSIX and GNU tar read them: `<length> <key>=<value>\n`, the
 * length counting the whole record, records filling the header exactly. tar-stream drops a malformed record or
 * takes its last byte for the newline unseen, so an archive GNU tar refuses ("Malformed extended header: missing
 * newline") would pass verify. Returns the problem, or the records' `size` (which overrides the next header's).
 */
export function checkPaxRecords(data: Buffer): { problem: string } | { size: number | undefined } {
  let offset = 0;
  let size: number | undefined;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const digits = space === -1 ? '' : data.subarray(offset, space).toString('latin1');
    if (!/^[1-9][0-9]*$/.test(digits)) return { problem: 'malformed PAX extended header: a record without its length' };
    const end = offset + Number(digits);
    if (end > data.length || end <= space + 1) return { problem: 'malformed PAX extended header: a record longer than the header' };
    if (data[end - 1] !== 0x0a) return { problem: 'malformed PAX extended header: a record without its newline' };
    const record = data.subarray(space + 1, end - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals <= 0) return { problem: 'malformed PAX extended header: a record without a key' };
    if (record.slice(0, equals) === 'size') {
      const value = record.slice(equals + 1);
      if (!/^[0-9]+$/.test(value)) return { problem: 'malformed PAX extended header: a size that is not a number' };
      size = Number(value);
    }
    offset = end;
  }
  return { size };
}

/**
 * Follows a raw tar byte stream beside its parser (the same framing tar-stream uses) and checks every PAX extended
 * header with checkPaxRecords. Costs a look at each 512-byte header and a copy of the (small) PAX headers only. At a
 * header tar-stream cannot read (a bad checksum or size) it stops following: the parser reports that one itself.
 */
export function watchPaxRecords(tar: Readable): { problem: () => string | undefined } {
  let problem: string | undefined;
  const header = Buffer.alloc(BLOCK);
  let headerFill = 0;
  /** Bytes of the current entry's data (and padding) still to skip. */
  let skip = 0;
  /** The PAX header being collected, and how much of it is still missing. */
  let pax: Buffer | undefined;
  let paxFill = 0;
  let paxPadding = 0;
  let nextSize: number | undefined;
  let lost = false;

  const onHeader = () => {
    if (header.every((byte) => byte === 0)) return;
    const type = header[156] as number;
    const size = sizeOf(header);
    if (!checksumMatches(header) || !Number.isSafeInteger(size) || size < 0) {
      lost = true;
      return;
    }
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === TYPE_PAX || type === TYPE_PAX_GLOBAL) {
      if (size > MAX_PAX) {
        problem ??= 'malformed PAX extended header: larger than 1 MiB';
        return;
      }
      pax = Buffer.alloc(size);
      paxFill = 0;
      paxPadding = padding;
      if (size === 0) finishPax();
      return;
    }
    if (type === TYPE_GNU_LONG_NAME || type === TYPE_GNU_LONG_LINK) {
      skip = size + padding;
      return;
    }
    const dataSize = nextSize ?? size;
    nextSize = undefined;
    if (dataSize > 0 && type !== TYPE_DIRECTORY) skip = dataSize + ((BLOCK - (dataSize % BLOCK)) % BLOCK);
  };
  const finishPax = () => {
    const checked = checkPaxRecords(pax as Buffer);
    if ('problem' in checked) problem ??= checked.problem;
    else if ((header[156] as number) === TYPE_PAX) nextSize = checked.size;
    pax = undefined;
    skip = paxPadding;
  };

  tar.on('data', (chunk: Buffer) => {
    try {
      follow(chunk);
    } catch {
      lost = true; // a watcher never fails the read: what it cannot follow, the parser judges
    }
  });
  const follow = (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length && problem === undefined && !lost) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - offset);
        skip -= n;
        offset += n;
      } else if (pax) {
        const n = Math.min(pax.length - paxFill, chunk.length - offset);
        chunk.copy(pax, paxFill, offset, offset + n);
        paxFill += n;
        offset += n;
        if (paxFill === pax.length) finishPax();
      } else {
        const n = Math.min(BLOCK - headerFill, chunk.length - offset);
        chunk.copy(header, headerFill, offset, offset + n);
        headerFill += n;
        offset += n;
        if (headerFill === BLOCK) {
          headerFill = 0;
          onHeader();
        }
      }
    }
  };
  return { problem: () => problem };
}
