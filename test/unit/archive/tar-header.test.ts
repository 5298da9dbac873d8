import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { encodeTarHeader, paddingFor, type TarHeader } from '../../../src/core/archive/tar-header.js';
import { makeTempDir } from '../../helpers/fixture.js';

/** What tar-stream 3 (the writer this module replaced) emits for one header, minus the data and padding. */
async function tarStreamHeader(h: TarHeader): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  const { size, mtime, ...rest } = h;
  const header = { ...rest, mtime: typeof mtime === 'number' ? new Date(mtime) : mtime };
  if (h.type === 'file') pack.entry({ ...header, size }, Buffer.alloc(size));
  else pack.entry({ ...header, size: 0 });
  pack.finalize();
  await done;
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024 - (h.type === 'file' ? size + paddingFor(size) : 0));
}

const base = { mode: 0o644, uid: 1000, gid: 1000, mtime: new Date(1_795_290_433_000), size: 0 };

describe('encodeTarHeader', () => {
  const cases: TarHeader[] = [
    { ...base, name: 'openclaw-backup/state/openclaw.json', type: 'file', size: 2167 },
    { ...base, name: 'openclaw-backup/state/agents', type: 'directory', mode: 0o700 },
    { ...base, name: 'openclaw-backup/state/plugin-skills/canvas', type: 'symlink', linkname: '/home/x/canvas' },
    { ...base, name: `openclaw-backup/state/${'deep/'.repeat(25)}note.md`, type: 'file', size: 10 },
    { ...base, name: `openclaw-backup/state/${'x'.repeat(120)}.md`, type: 'file', size: 1 },
    { ...base, name: 'openclaw-backup/state/workspace/Notizen-über-Ärger.md', type: 'file', size: 5 },
    { ...base, name: 'openclaw-backup/state/link', type: 'symlink', linkname: `/opt/${'t'.repeat(140)}` },
  ];

  it.each(cases.map((c) => [c.name.slice(-40), c] as const))('matches tar-stream byte for byte: %s', async (_label, header) => {
    expect(encodeTarHeader(header).equals(await tarStreamHeader(header))).toBe(true);
  });

  it('matches tar-stream for a time before 1970', async () => {
    const header: TarHeader = { ...base, name: 'openclaw-backup/state/old.md', type: 'file', size: 3, mtime: new Date(-86_400_000) };
    expect(encodeTarHeader(header).equals(await tarStreamHeader(header))).toBe(true);
  });

  it('takes the time as epoch milliseconds too, with the same bytes', () => {
    for (const header of cases) {
      const asDate = Buffer.from(encodeTarHeader(header));
      expect(encodeTarHeader({ ...header, mtime: (header.mtime as Date).getTime() }).equals(asDate)).toBe(true);
    }
  });

  it('matches tar-stream for arbitrary names, modes and sizes', async () => {
    const segment = fc.string({ unit: fc.constantFrom('a', 'B', '.', '-', '_', 'é', '日', '1'), minLength: 1, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 0o7777 }),
        fc.integer({ min: 0, max: 5000 }),
        async (parts, mode, size) => {
          const header: TarHeader = { ...base, name: `openclaw-backup/${parts.join('/')}`, type: 'file', mode, size };
          expect(encodeTarHeader(header).equals(await tarStreamHeader(header))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes entries GNU tar lists with the right names, sizes and link targets', () => {
    const dir = makeTempDir();
    try {
      const blocks: Buffer[] = [];
      for (const h of cases) {
        blocks.push(Buffer.from(encodeTarHeader(h)));
        if (h.type === 'file') blocks.push(Buffer.alloc(h.size, 0x61), Buffer.alloc(paddingFor(h.size)));
      }
      blocks.push(Buffer.alloc(1024));
      const file = path.join(dir, 'a.tar');
      fs.writeFileSync(file, Buffer.concat(blocks));
      const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
      for (const h of cases) expect(listing).toContain(h.type === 'symlink' ? `${h.name} -> ${h.linkname}` : h.name);
      execFileSync('tar', ['-C', dir, '-xf', file]);
      expect(fs.readFileSync(path.join(dir, cases[3]!.name), 'utf8')).toBe('a'.repeat(10));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
