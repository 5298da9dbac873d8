/**
 * POSIX tar headers, byte-compatible with what tar-stream 3 writes (so archives look the same as before the
 * writer stopped using its per-entry streams): a ustar header, or a PAX header carrying `path`/`linkpath` when a
 * name is not 7-bit ASCII or does not fit ustar's name/prefix/linkname fields. Sizes past 8 GiB use base-256.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** A Date or epoch milliseconds (a Stats' mtimeMs: reading `stat.mtime` builds a Date per entry). */
  mtime: Date | number;
  size: number;
  linkname?: string;
  /** Extra PAX records (GNU sparse); forces a PAX header, which then carries `path` too. */
  pax?: ReadonlyArray<readonly [string, string]>;
}

export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const TYPEFLAG: Record<TarEntryType | 'pax', number> = { file: 0x30, symlink: 0x32, directory: 0x35, pax: 0x78 };

/**
 * Writes `value` as `digits` zero-padded octal digits and a space (the NUL after it is the block's) and returns the
 * sum of the bytes written, for the checksum. A value that does not fit becomes all sevens, as tar-stream wrote it.
 * Digits are set byte by byte: a Buffer.write per field and a checksum over all 512 bytes were most of the cost of a
 * header, and a header is written for every one of hundreds of thousands of entries.
 */
function putOctal(block: Buffer, offset: number, value: number, digits: number): number {
  if (value < 0) {
    // A time before 1970: tar-stream's text, minus sign and all.
    const text = value.toString(8);
    return putAscii(block, offset, text.length > digits ? `${'7'.repeat(digits)} ` : `${'0'.repeat(digits - text.length)}${text} `);
  }
  let rest = value;
  let sum = 0x20;
  const overflow = value >= 8 ** digits;
  for (let i = digits - 1; i >= 0; i -= 1) {
    const digit = overflow ? 0x37 : 0x30 + (rest % 8);
    block[offset + i] = digit;
    sum += digit;
    rest = Math.floor(rest / 8);
  }
  block[offset + digits] = 0x20;
  return sum;
}

/** Sets latin1 text (a name checked by isAscii, or a fixed word) byte by byte; returns its byte sum. See putOctal. */
function putAscii(block: Buffer, offset: number, text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text.charCodeAt(i) & 0xff;
    block[offset + i] = byte;
    sum += byte;
  }
  return sum;
}

const NON_ASCII = /[^\x00-\x7f]/;

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** ustar splits a long name at a '/' into prefix (≤155) + name (≤100); null when it cannot. */
function splitName(name: string): { name: string; prefix: string } | null {
  if (!isAscii(name)) return null;
  let rest = name;
  let prefix = '';
  while (rest.length > 100) {
    const i = rest.indexOf('/');
    if (i === -1) return null;
    prefix += prefix ? `/${rest.slice(0, i)}` : rest.slice(0, i);
    rest = rest.slice(i + 1);
  }
  if (rest.length > 100 || prefix.length > 155) return null;
  return { name: rest, prefix };
}

const MAGIC_AND_VERSION = 'ustar\u000000';

function encodeBlock(
  h: {
    name: string;
    prefix: string;
    typeflag: number;
    linkname: string;
    mode: number;
    uid: number;
    gid: number;
    size: number;
    mtime: Date | number;
  },
  into?: Buffer,
): Buffer {
  const block = into ? into.fill(0) : Buffer.alloc(BLOCK);
  // The checksum is that of the block with its own field as eight spaces: the bytes set below plus 8 × 0x20.
  let sum = 8 * 0x20;
  sum += putAscii(block, 0, h.name);
  sum += putOctal(block, 100, h.mode & 0o7777, 6);
  sum += putOctal(block, 108, h.uid, 6);
  sum += putOctal(block, 116, h.gid, 6);
  if (h.size >= 8 ** 11) {
    block[124] = 0x80;
    sum += 0x80;
    let n = h.size;
    for (let i = 11; i > 0; i -= 1) {
      block[124 + i] = n % 256;
      sum += n % 256;
      n = Math.floor(n / 256);
    }
  } else sum += putOctal(block, 124, h.size, 11);
  const mtimeMs = typeof h.mtime === 'number' ? h.mtime : h.mtime.getTime();
  sum += putOctal(block, 136, (mtimeMs / 1000) | 0, 11);
  block[156] = h.typeflag;
  sum += h.typeflag;
  sum += putAscii(block, 157, h.linkname);
  sum += putAscii(block, 257, MAGIC_AND_VERSION);
  sum += putOctal(block, 329, 0, 6);
  sum += putOctal(block, 337, 0, 6);
  sum += putAscii(block, 345, h.prefix);
  putOctal(block, 148, sum, 6);
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let digits = Math.floor(Math.log10(len)) + 1;
  if (len + digits >= 10 ** digits) digits += 1;
  return `${len + digits}${body}`;
}

/** Bytes of zero padding after `size` bytes of entry data. */
export function paddingFor(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/** Reused for the common one-block header: no allocation per entry. */
const SCRATCH = Buffer.alloc(BLOCK);

/**
 * The header block(s) of one entry: one 512-byte block, or a PAX header + its records + the ustar block.
 * The result is only valid until the next call: append (copy) it at once.
 */
export function encodeTarHeader(header: TarHeader): Buffer {
  const size = header.type === 'file' ? header.size : 0;
  const linkname = header.linkname ?? '';
  const base = {
    typeflag: TYPEFLAG[header.type],
    linkname,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    size,
    mtime: header.mtime,
  };
  const split = splitName(header.name);
  const linkFits = !linkname || (isAscii(linkname) && linkname.length <= 100);
  if (split && linkFits && !header.pax) return encodeBlock({ ...base, ...split }, SCRATCH);

  let records = paxRecord('path', header.name);
  if (linkname) records += paxRecord('linkpath', linkname);
  for (const [key, value] of header.pax ?? []) records += paxRecord(key, value);
  const pax = Buffer.from(records);
  const paxBlock = encodeBlock({
    ...base,
    name: 'PaxHeader',
    prefix: '',
    typeflag: TYPEFLAG.pax,
    linkname: linkname ? 'PaxHeader' : '',
    size: pax.length,
  });
  const ustar = encodeBlock({ ...base, name: 'PaxHeader', prefix: '', linkname: linkname ? 'PaxHeader' : '' });
  return Buffer.concat([paxBlock, pax, Buffer.alloc(paddingFor(pax.length)), ustar]);
}
