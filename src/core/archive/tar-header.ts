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
  mtime: Date;
  size: number;
  linkname?: string;
  /** Extra PAX records (GNU sparse); forces a PAX header, which then carries `path` too. */
  pax?: ReadonlyArray<readonly [string, string]>;
}

export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const TYPEFLAG: Record<TarEntryType | 'pax', number> = { file: 0x30, symlink: 0x32, directory: 0x35, pax: 0x78 };

function octal(value: number, digits: number): string {
  const text = value.toString(8);
  if (text.length > digits) return `${'7'.repeat(digits)} `;
  return `${'0'.repeat(digits - text.length)}${text} `;
}

function isAscii(text: string): boolean {
  return Buffer.byteLength(text) === text.length;
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

function checksum(block: Buffer): number {
  let sum = 8 * 32;
  for (let i = 0; i < 148; i += 1) sum += block[i] as number;
  for (let i = 156; i < BLOCK; i += 1) sum += block[i] as number;
  return sum;
}

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
    mtime: Date;
  },
  into?: Buffer,
): Buffer {
  const block = into ? into.fill(0) : Buffer.alloc(BLOCK);
  block.write(h.name, 0, 'latin1');
  block.write(octal(h.mode & 0o7777, 6), 100, 'latin1');
  block.write(octal(h.uid, 6), 108, 'latin1');
  block.write(octal(h.gid, 6), 116, 'latin1');
  if (h.size.toString(8).length > 11) {
    block[124] = 0x80;
    let n = h.size;
    for (let i = 11; i > 0; i -= 1) {
      block[124 + i] = n % 256;
      n = Math.floor(n / 256);
    }
  } else block.write(octal(h.size, 11), 124, 'latin1');
  block.write(octal((h.mtime.getTime() / 1000) | 0, 11), 136, 'latin1');
  block[156] = h.typeflag;
  if (h.linkname) block.write(h.linkname, 157, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(octal(0, 6), 329, 'latin1');
  block.write(octal(0, 6), 337, 'latin1');
  if (h.prefix) block.write(h.prefix, 345, 'latin1');
  block.write(octal(checksum(block), 6), 148, 'latin1');
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
