import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { snapshotTree } from '../helpers/tree.js';

/** `split` + `zstd` per part + `cat`: the many-frame shape pzstd writes too. */
function zstdInFrames(tarFile: string, out: string, partBytes: number): number {
  const parts = path.join(path.dirname(out), `parts-${path.basename(out)}`);
  fs.mkdirSync(parts);
  execFileSync('split', ['-b', String(partBytes), '-a', '4', tarFile, path.join(parts, 'p')]);
  const names = fs.readdirSync(parts).sort();
  fs.writeFileSync(
    out,
    Buffer.concat(names.map((name) => execFileSync('zstd', ['-q', '-c', '-3', path.join(parts, name)], { maxBuffer: 64 << 20 }))),
  );
  fs.rmSync(parts, { recursive: true, force: true });
  return names.length;
}

function frameCount(file: string): number {
  const listing = execFileSync('zstd', ['-lv', file], { encoding: 'utf8' });
  return Number(/Zstandard Frames: (\d+)/.exec(listing)?.[1]);
}

describe('zstd archives of many frames', () => {
  let home: string;
  let work: string;
  let stateDir: string;
  let tarFile: string;

  beforeAll(() => {
    home = makeTempDir('ocb-zframes-');
    work = makeTempDir('ocb-zframes-work-');
    stateDir = unpackFixture(home);
    const tree: Record<string, string | Buffer | null> = { 'media/inbound/blob.bin': randomBytes(3 * 1024 * 1024) };
    for (let i = 0; i < 300; i += 1) tree[`workspace/notes/note-${i}.md`] = `# note ${i}\n${'words '.repeat(i * 3)}\n`;
    writeTree(stateDir, tree);
    tarFile = path.join(work, 'state.tar');
    execFileSync('tar', ['-C', home, '-cf', tarFile, '.openclaw']);
  });
  afterAll(() => {
    for (const dir of [home, work]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a hand-made .openclaw tar compressed as many concatenated frames verifies and restores every file', async () => {
    const archive = path.join(work, 'split.tar.zst');
    const parts = zstdInFrames(tarFile, archive, 37_000); // frame ends fall anywhere, mid-header included
    expect(parts).toBeGreaterThan(50);
    expect(frameCount(archive)).toBe(parts);
    const verified = await callCli(['verify', archive, '--json'], { env: { HOME: home } });
    expect(verified.code, verified.stderr).toBe(0);
    const target = path.join(work, 'restored', '.openclaw');
    const restored = await callCli(['restore', archive, '--target', target], { env: { HOME: home } });
    expect(restored.code, restored.stderr).toBe(0);
    // Every file comes back byte for byte, except openclaw.json (paths remapped to the target) and tmp/ (runtime
    // scratch, never restored); modes are restore's own policy, not compared here.
    const contents = (root: string) =>
      Object.fromEntries(
        Object.entries(snapshotTree(root, (rel) => rel === 'openclaw.json' || rel === 'tmp' || rel.startsWith('tmp/'))).map(([rel, v]) => [
          rel,
          v.split(' ').at(-1),
        ]),
      );
    const expected = contents(stateDir);
    expect(Object.keys(expected).length).toBeGreaterThan(300);
    expect(contents(target)).toEqual(expected);
  });

  it('such a file cut between two frames is exit 3 for verify and restore, and nothing is written', async () => {
    const archive = path.join(work, 'split-cut.tar.zst');
    zstdInFrames(tarFile, archive, 200_000);
    const whole = fs.readFileSync(archive);
    // Cut right after the first frame that ends past a third of the file: a clean zstd stream, a short tar.
    let offset = 0;
    let cut = 0;
    while (cut === 0) {
      const next = whole.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), offset + 4);
      if (next > whole.length / 3) cut = next;
      offset = next;
    }
    const truncated = path.join(work, 'cut.tar.zst');
    fs.writeFileSync(truncated, whole.subarray(0, cut));
    execFileSync('zstd', ['-t', '-q', truncated]); // still a valid zstd file: only the tar level can tell
    const before = snapshotTree(home);
    for (const args of [
      ['verify', truncated],
      ['restore', truncated],
      ['restore', truncated, '--target', path.join(work, 'cut-copy')],
    ]) {
      const result = await callCli(args, { env: { HOME: home } });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(3);
      expect(result.stderr).toMatch(/truncated/);
    }
    expect(snapshotTree(home)).toEqual(before);
    expect(fs.readdirSync(work).filter((n) => n.startsWith('cut-copy') || n.includes('restore-'))).toEqual([]);
  });

  it('our zstd archives are parallel frames that zstd -d, GNU tar --zstd and our verify read whole', async () => {
    const archive = path.join(work, 'ours.tar.zst');
    const created = await callCli(['create', '--compress', 'zstd', '--output', archive], { env: { HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    expect(frameCount(archive)).toBeGreaterThan(3);
    execFileSync('zstd', ['-t', '-q', archive]);
    const names = execFileSync('tar', ['--zstd', '-tf', archive], { encoding: 'utf8', maxBuffer: 16 << 20 })
      .trim()
      .split('\n');
    expect(names.at(-1)).toBe('openclaw-backup/manifest.json');
    expect(names).toContain('openclaw-backup/state/media/inbound/blob.bin');
    const plain = execFileSync('zstd', ['-d', '-c', archive], { maxBuffer: 64 << 20 });
    expect(plain.subarray(plain.length - 1024).every((b) => b === 0)).toBe(true);
    const verified = await callCli(['verify', archive, '--json'], { env: { HOME: home } });
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, compression: 'zstd', hashesChecked: true });
  });
});
