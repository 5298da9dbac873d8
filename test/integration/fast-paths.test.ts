import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, unpackFixture, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

// Every fast path of the writer (own tar headers, pooled chunks, parallel gzip members, sync small reads,
// staged large files, database snapshots) must give archives that our verify and GNU tar both accept.
describe('archives from the fast paths', () => {
  let home: string;
  let stateDir: string;
  const big = randomBytes(9 * 1024 * 1024); // above the 8 MiB in-memory limit: the staged path
  const longName = `workspace/notes/${'very-long-directory-name/'.repeat(8)}Zusammenfassung-über-den-Tag.md`;

  beforeAll(() => {
    home = makeTempDir();
    stateDir = unpackFixture(home);
    const tree: Record<string, string | Buffer | null> = {
      'media/inbound/video.mp4': big,
      [longName]: 'ünïcödé\n',
      'workspace/empty.md': '',
    };
    for (let i = 0; i < 1500; i += 1) tree[`workspace/notes/n${i % 30}/note-${i}.md`] = `# note ${i}\n${'text '.repeat(i % 200)}\n`;
    writeTree(stateDir, tree);
    fs.symlinkSync(`/opt/${'t'.repeat(150)}`, path.join(stateDir, 'workspace', 'long-link'));
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  for (const [kind, tarFlag] of [
    ['gzip', '-xzf'],
    ['zstd', '--zstd'],
    ['none', '-xf'],
  ] as const) {
    it(`${kind}: verify passes and GNU tar extracts every file byte for byte`, async () => {
      const out = path.join(home, `out-${kind}`);
      fs.mkdirSync(out);
      const archive = path.join(out, `a.tar${kind === 'gzip' ? '.gz' : kind === 'zstd' ? '.zst' : ''}`);
      const created = await callCli(['create', '--compress', kind, '--output', archive, '--json'], { env: { HOME: home } });
      expect(created.stderr).not.toMatch(/kept changing|failed/);
      expect(created.code).toBe(0);
      const result = JSON.parse(created.stdout) as { files: number; pauseMs: number; databases: number };
      expect(result.databases).toBeGreaterThan(0);

      const verified = await callCli(['verify', archive, '--json'], { env: { HOME: home } });
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout).ok).toBe(true);

      if (kind === 'gzip') execFileSync('gzip', ['-t', archive]);
      const x = path.join(out, 'x');
      fs.mkdirSync(x);
      execFileSync('tar', ['-C', x, ...(tarFlag === '--zstd' ? ['--zstd', '-xf'] : [tarFlag]), archive]);
      const restored = path.join(x, 'openclaw-backup', 'state');
      expect(fs.readFileSync(path.join(restored, 'media/inbound/video.mp4')).equals(big)).toBe(true);
      expect(fs.readFileSync(path.join(restored, longName), 'utf8')).toBe('ünïcödé\n');
      expect(fs.readlinkSync(path.join(restored, 'workspace', 'long-link'))).toBe(`/opt/${'t'.repeat(150)}`);
      const notes = listFiles(path.join(stateDir, 'workspace', 'notes'));
      expect(listFiles(path.join(restored, 'workspace', 'notes'))).toEqual(notes);
      for (const rel of notes.filter((_, i) => i % 97 === 0)) {
        expect(
          fs
            .readFileSync(path.join(restored, 'workspace', 'notes', rel))
            .equals(fs.readFileSync(path.join(stateDir, 'workspace', 'notes', rel))),
        ).toBe(true);
      }
      // Databases are snapshots: SQLite opens them, and no -wal/-shm side file was archived.
      expect(fs.existsSync(path.join(restored, 'state', 'openclaw.sqlite'))).toBe(true);
      expect(fs.existsSync(path.join(restored, 'state', 'openclaw.sqlite-wal'))).toBe(false);
    });
  }

  it('a changed byte in a gzip archive from the parallel writer fails verify with exit 3', async () => {
    const archive = path.join(home, 'tampered.tar.gz');
    const created = await callCli(['create', '--compress', 'gzip', '--output', archive, '--json'], { env: { HOME: home } });
    expect(created.code).toBe(0);
    const bytes = fs.readFileSync(archive);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] as number) ^ 0x55;
    fs.writeFileSync(archive, bytes);
    const verified = await callCli(['verify', archive], { env: { HOME: home } });
    expect(verified.code).toBe(3);
  });
});
