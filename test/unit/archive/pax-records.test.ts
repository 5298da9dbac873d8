import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTarHeader, END_OF_ARCHIVE, paddingFor } from '../../../src/core/archive/tar-header.js';
import { checkPaxRecords, watchPaxRecords } from '../../../src/core/archive/pax-records.js';
import { makeTempDir } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const record = (key: string, value: string) => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length += 1;
  return `${length}${body}`;
};

/** A tar with a long-named file (so a PAX header), a long symlink target and a plain file, as our writer makes them. */
function archive(): Buffer {
  const parts: Buffer[] = [];
  const file = (name: string, data: Buffer) => {
    parts.push(encodeTarHeader({ name, type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: new Date(0), size: data.length }), data);
    parts.push(Buffer.alloc(paddingFor(data.length)));
  };
  file(`openclaw-backup/state/${'long-directory-name/'.repeat(12)}note.md`, Buffer.from('a note\n'.repeat(100)));
  parts.push(
    encodeTarHeader({
      name: 'openclaw-backup/state/link',
      type: 'symlink',
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      size: 0,
      linkname: `/somewhere/${'far/'.repeat(40)}away`,
    }),
  );
  file('openclaw-backup/state/plain.md', Buffer.from('plain\n'));
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/** Offsets of the last byte (the newline) of every PAX header's data. */
function paxNewlines(tar: Buffer): number[] {
  const out: number[] = [];
  for (let offset = 0; offset + 512 <= tar.length && tar.subarray(offset, offset + 512).some((b) => b !== 0);) {
    const size = parseInt(
      tar
        .subarray(offset + 124, offset + 136)
        .toString('latin1')
        .replace(/[\0 ].*$/s, '') || '0',
      8,
    );
    if (tar[offset + 156] === 0x78) out.push(offset + 512 + size - 1);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

async function watch(tar: Buffer, chunk: number): Promise<string | undefined> {
  const parts: Buffer[] = [];
  for (let i = 0; i < tar.length; i += chunk) parts.push(tar.subarray(i, i + chunk));
  const stream = Readable.from(parts);
  const watcher = watchPaxRecords(stream);
  for await (const part of stream) void part;
  return watcher.problem();
}

describe('PAX extended header records', () => {
  it('accepts well-formed records and returns the size record', () => {
    expect(checkPaxRecords(Buffer.from(record('path', 'a/b') + record('size', '12345')))).toEqual({ size: 12345 });
    expect(checkPaxRecords(Buffer.from(record('linkpath', 'x')))).toEqual({ size: undefined });
  });

  it('refuses what GNU tar refuses: no newline, a length past the end, no length, no key, a size that is no number', () => {
    const good = record('path', 'a/b');
    expect(checkPaxRecords(Buffer.from(`${good.slice(0, -1)}P`))).toEqual({ problem: expect.stringContaining('without its newline') });
    expect(checkPaxRecords(Buffer.from(`9${good}`))).toEqual({ problem: expect.stringContaining('longer than the header') });
    expect(checkPaxRecords(Buffer.from(`x${good.slice(1)}`))).toEqual({ problem: expect.stringContaining('without its length') });
    expect(checkPaxRecords(Buffer.from(record('', 'value')))).toEqual({ problem: expect.stringContaining('without a key') });
    expect(checkPaxRecords(Buffer.from(record('size', '12a')))).toEqual({ problem: expect.stringContaining('not a number') });
  });

  it('follows a raw tar stream whatever its chunking and finds a flipped newline that GNU tar rejects', async () => {
    const tar = archive();
    const newlines = paxNewlines(tar);
    expect(newlines.length).toBe(2);
    for (const chunk of [1, 7, 512, 100_000]) expect(await watch(tar, chunk)).toBeUndefined();
    const dir = makeTempDir();
    dirs.push(dir);
    for (const offset of newlines) {
      const bad = Buffer.from(tar);
      bad[offset] = (bad[offset] as number) ^ 0x5a;
      for (const chunk of [3, 4096]) expect(await watch(bad, chunk)).toMatch(/without its newline/);
      const file = path.join(dir, `bad-${offset}.tar`);
      fs.writeFileSync(file, bad);
      expect(() => execFileSync('tar', ['-tf', file], { stdio: 'pipe' })).toThrow(/Malformed extended header/);
    }
    fs.writeFileSync(path.join(dir, 'good.tar'), tar);
    expect(execFileSync('tar', ['-tf', path.join(dir, 'good.tar')], { encoding: 'utf8' })).toContain('plain.md');
  });
});
