import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  EntryGuard,
  foldCase,
  type EntryKind,
  MAX_PATH_BYTES,
  sawPaxGlobalHeader,
  tooLongReason,
} from '../../../src/core/reader/entry-guard.js';
import { craftTar } from '../../helpers/craft.js';
import { makeTempDir } from '../../helpers/fixture.js';

describe('names the system cannot create', () => {
  it('refuses a component over 255 bytes and a path over the limit, counting bytes, not characters', () => {
    expect(tooLongReason(`a/${'x'.repeat(255)}`)).toBeUndefined();
    expect(tooLongReason(`a/${'x'.repeat(256)}`)).toMatch(/component of 256 bytes/);
    expect(tooLongReason(`a/${'é'.repeat(128)}`)).toMatch(/component of 256 bytes/);
    const deep = Array.from({ length: 20 }, () => 'd'.repeat(200)).join('/');
    expect(tooLongReason(deep)).toMatch(new RegExp(`path of ${deep.length} bytes, longer than the ${MAX_PATH_BYTES}`));
    const guard = new EntryGuard();
    expect(guard.check(`s/${'x'.repeat(300)}`, { name: '', type: 'file' })).toEqual({
      reason: expect.stringMatching(/unsafe path \(path component of 300 bytes/),
    });
    expect(guard.check('s/link', { name: '', type: 'symlink', linkname: 't/'.repeat(2000) })).toEqual({
      reason: expect.stringMatching(/symlink target longer than/),
    });
  });
});

describe('names that collide on a case-insensitive file system', () => {
  const file = { name: '', type: 'file' } as const;

  it('folds upper case to lower and leaves lower-case names as they are', () => {
    expect(foldCase('State/Agents/MAIN.json')).toBe('state/agents/main.json');
    expect(foldCase('state/agents/main.json')).toBe('state/agents/main.json');
  });

  it('refuses a name that differs from an earlier one only in case, whichever came first', () => {
    const guard = new EntryGuard();
    expect(guard.check('s/notes.md', file)).toEqual({ kind: 'file' });
    expect(guard.check('s/Notes.md', file)).toEqual({ reason: 'collides with s/notes.md on a case-insensitive file system' });
    expect(guard.check('s/README', file)).toEqual({ kind: 'file' });
    expect(guard.check('s/readme', file)).toEqual({ reason: 'collides with s/README on a case-insensitive file system' });
  });

  it("refuses an entry below a folder whose name differs only in case from an earlier entry's folder", () => {
    const guard = new EntryGuard();
    expect(guard.check('s/docs/a.md', file)).toEqual({ kind: 'file' });
    expect(guard.check('s/Docs/b.md', file)).toEqual({ reason: 'collides with s/docs on a case-insensitive file system' });
    expect(guard.check('s/docs/b.md', file)).toEqual({ kind: 'file' });
  });

  it('tells two different mixed-case spellings apart from the same one seen again', () => {
    const guard = new EntryGuard();
    const dir = { name: '', type: 'directory' } as const;
    expect(guard.check('S/Docs/a.md', file)).toEqual({ kind: 'file' });
    expect(guard.check('S/Docs/b.md', file)).toEqual({ kind: 'file' });
    expect(guard.check('S/Docs', dir)).toEqual({ kind: 'directory' });
    expect(guard.check('S/DOCS/c.md', file)).toEqual({ reason: 'collides with S/Docs on a case-insensitive file system' });
    expect(guard.check('s/x.md', file)).toEqual({ reason: 'collides with S on a case-insensitive file system' });
    expect(guard.check('S/ReadMe', file)).toEqual({ kind: 'file' });
    expect(guard.check('S/README', file)).toEqual({ reason: 'collides with S/ReadMe on a case-insensitive file system' });
  });

  it('finds a lower-case folder of earlier entries when a mixed-case name folds to it', () => {
    const guard = new EntryGuard();
    expect(guard.check('s/notes/a.md', file)).toEqual({ kind: 'file' });
    expect(guard.check('s/Notes', file)).toEqual({ reason: 'collides with s/notes on a case-insensitive file system' });
  });
});

describe('entries handed over to the caller', () => {
  const sequence: Array<[string, { name: string; type: string; linkname?: string; mode?: number }]> = [
    ['s', { name: '', type: 'directory' }],
    ['s/a.md', { name: '', type: 'file' }],
    ['s/a.md', { name: '', type: 'file' }],
    ['s/A.md', { name: '', type: 'file' }],
    ['s/a.md/x', { name: '', type: 'file' }],
    ['s/hard', { name: '', type: 'link', linkname: 's/a.md' }],
    ['s/hard2', { name: '', type: 'link', linkname: 's/hard' }],
    ['s/link', { name: '', type: 'symlink', linkname: 'a.md' }],
    ['s/link/y', { name: '', type: 'file' }],
    ['s/Dir/b', { name: '', type: 'file' }],
    ['s/dir', { name: '', type: 'file' }],
    ['s/Dir', { name: '', type: 'file' }],
    ['s/Dir', { name: '', type: 'directory' }],
    ['s/Dir', { name: '', type: 'directory' }],
    ['s/Up', { name: '', type: 'file' }],
    ['s/up', { name: '', type: 'file' }],
  ];

  it('gives every verdict a guard keeping them all itself gives, duplicates, links and case collisions included', () => {
    const alone = new EntryGuard();
    const kept = new Map<string, EntryKind>();
    const handing = new EntryGuard((name) => kept.get(name));
    for (const [name, header] of sequence) {
      const expected = alone.check(name, header);
      const got = handing.check(name, header);
      expect(got, name).toEqual(expected);
      if ('kind' in got) {
        kept.set(name, got.kind);
        handing.handOver(name);
      }
    }
    expect([...kept.keys()]).toEqual(['s', 's/a.md', 's/hard', 's/link', 's/Dir/b', 's/Dir', 's/Up']);
  });
});

describe('PAX global headers', () => {
  it('tar-stream keeps a parsed global header in _paxGlobal (pinned: an upgrade that renames it must fail here)', async () => {
    const dir = makeTempDir('ocb-pax-');
    try {
      for (const [global, expected] of [
        [{ path: 'x/evil' }, true],
        [undefined, false],
      ] as const) {
        const file = craftTar({
          out: path.join(dir, 'g.tar'),
          gzip: false,
          ...(global ? { global } : {}),
          append: [
            { name: 'x', type: 'dir' },
            { name: 'x/a', data: '1' },
          ],
        });
        const extract = tar.extract();
        const seen: boolean[] = [];
        fs.createReadStream(file).pipe(extract);
        for await (const entry of extract) {
          seen.push(sawPaxGlobalHeader(extract));
          entry.resume();
        }
        expect(seen).toEqual([expected, expected]);
        // What GNU tar does with the same bytes: the global path renames every entry.
        const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
        expect(listed.includes('x/a')).toBe(!expected);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
