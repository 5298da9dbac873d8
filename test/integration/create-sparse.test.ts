import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempHome(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;

/** Streams a file's SHA-256 (holes read as zeros). */
function sha(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 * MiB);
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return hash.digest('hex');
}
const allocated = (file: string) => fs.statSync(file).blocks * 512;

/** 256 MiB with 1 MiB + 8 KiB of data (head, middle, an odd tail short of the end): a trailing hole too. */
function writeSparse(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, randomBytes(8192), 0, 8192, 0);
  fs.writeSync(fd, randomBytes(MiB), 0, MiB, 100 * MiB);
  fs.writeSync(fd, Buffer.from('tail'), 0, 4, 200 * MiB + 3);
  fs.ftruncateSync(fd, SIZE);
  fs.closeSync(fd);
}

describe('sparse files keep their holes', () => {
  it('create stores the data only (GNU PAX sparse 1.0); verify checks it; restore and GNU tar write the holes back', async () => {
    const home = tempHome();
    const state = path.join(home, '.openclaw');
    writeTree(state, { 'openclaw.json': '{}' });
    const image = path.join(state, 'workspace', 'disk.img');
    writeSparse(image);
    const before = { sha: sha(image), blocks: allocated(image) };
    expect(before.blocks).toBeLessThan(4 * MiB);

    const archive = path.join(home, 'a.tar.gz');
    const created = await callCli(['create', '--output', archive], { env: { HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    expect(fs.statSync(archive).size).toBeLessThan(3 * MiB);
    const verified = await callCli(['verify', archive], { env: { HOME: home } });
    expect(verified.code, verified.stderr).toBe(0);

    const target = path.join(home, 'restored');
    const restored = await callCli(['restore', archive, '--target', target], { env: { HOME: home } });
    expect(restored.code, restored.stderr).toBe(0);
    const back = path.join(target, 'workspace', 'disk.img');
    expect(fs.statSync(back).size).toBe(SIZE);
    expect(sha(back)).toBe(before.sha);
    expect(allocated(back)).toBeLessThanOrEqual(before.blocks + 64 * 1024);

    const gnu = path.join(home, 'gnu');
    fs.mkdirSync(gnu);
    execFileSync('tar', ['-C', gnu, '-xzf', archive]);
    const extracted = path.join(gnu, 'openclaw-backup', 'state', 'workspace', 'disk.img');
    expect(sha(extracted)).toBe(before.sha);
    expect(allocated(extracted)).toBeLessThanOrEqual(before.blocks + 64 * 1024);

    const header = JSON.parse(execFileSync('tar', ['-xzOf', archive, 'openclaw-backup/header.json'], { encoding: 'utf8' }));
    expect(header.formatVersion).toBe(2);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', archive, 'openclaw-backup/manifest.json'], { encoding: 'utf8' }));
    const entry = manifest.entries.find((e: { path: string }) => e.path === 'openclaw-backup/state/workspace/disk.img');
    expect(entry).toMatchObject({ type: 'file', sparse: { realSize: SIZE } });
    expect(entry.size).toBeLessThan(2 * MiB);

    // An archive without a sparse file stays format version 1, readable by older versions.
    fs.rmSync(image);
    const dense = path.join(home, 'dense.tar.gz');
    expect((await callCli(['create', '--output', dense], { env: { HOME: home } })).code).toBe(0);
    expect(JSON.parse(execFileSync('tar', ['-xzOf', dense, 'openclaw-backup/header.json'], { encoding: 'utf8' })).formatVersion).toBe(1);
  });

  async function handMade(file: string, pax: Record<string, string>, body: Buffer): Promise<string> {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (chunk: unknown) => {
      chunks.push(chunk as Buffer);
    });
    const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    pack.entry({ name: '.openclaw/', type: 'directory', mode: 0o700 });
    pack.entry({ name: '.openclaw/openclaw.json', mode: 0o600 }, '{}');
    pack.entry({ name: '.openclaw/disk.img', mode: 0o600, pax }, body);
    pack.finalize();
    await done;
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(chunks)));
    return file;
  }

  it.each([
    ['a map that overlaps', { 'GNU.sparse.name': '.openclaw/disk.img' }, '2\n0\n10\n5\n10\n', 20, /sparse map: regions overlap/],
    ['a map past the real size', { 'GNU.sparse.name': '.openclaw/disk.img' }, '1\n0\n4096\n', 4096, /pass the real size/],
    [
      'a sparse name other than its path',
      { 'GNU.sparse.name': '.openclaw/elsewhere' },
      '1\n0\n4\n',
      4,
      /names itself ".openclaw\/elsewhere", not its path/,
    ],
    [
      'an old sparse format',
      { 'GNU.sparse.major': '0', 'GNU.sparse.name': '.openclaw/disk.img' },
      '1\n0\n4\n',
      4,
      /unsupported sparse format/,
    ],
  ])(
    'a hostile sparse entry (%s) fails verify and restore with exit 3, nothing written',
    async (_what, extra, mapText, dataBytes, reason) => {
      const home = tempHome();
      const map = Buffer.alloc(512);
      map.write(mapText, 'latin1');
      const pax = { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '2000', ...extra };
      const archive = await handMade(path.join(home, 'hostile.tar.gz'), pax, Buffer.concat([map, Buffer.alloc(dataBytes, 1)]));
      const verified = await callCli(['verify', archive], { env: { HOME: home } });
      expect(verified.code).toBe(3);
      expect(verified.stderr).toMatch(reason);
      const target = path.join(home, 'restored');
      const restored = await callCli(['restore', archive, '--target', target], { env: { HOME: home } });
      expect(restored.code).toBe(3);
      expect(fs.existsSync(target)).toBe(false);
    },
  );
});
