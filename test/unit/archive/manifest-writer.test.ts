import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FORMAT_NAME, type ArchiveHeader, type ManifestEntry } from '../../../src/core/archive/manifest.js';
import { ManifestWriter } from '../../../src/core/archive/manifest-writer.js';
import { makeTempDir } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const header: ArchiveHeader = {
  format: FORMAT_NAME,
  formatVersion: 1,
  tool: { name: 'openclaw-backup', version: '0.0.0', node: 'v24' },
  createdAt: '2026-12-07T00:00:00.000Z',
  host: { hostname: 'h', platform: 'linux', user: 'u', uid: 1000, home: '/home/u' },
  profile: 'default',
  stateDir: '/home/u/.openclaw',
  configPath: '/home/u/.openclaw/openclaw.json',
  openclawVersion: null,
  components: ['state'],
  compression: 'zstd',
  roots: [],
};

it('writes every entry in order across buffer flushes, multi-byte names and a line larger than the buffer', async () => {
  const dir = makeTempDir();
  dirs.push(dir);
  const file = path.join(dir, 'manifest.json');
  const writer = await ManifestWriter.open(file, header);
  const entries: ManifestEntry[] = [];
  for (let i = 0; i < 5000; i += 1) {
    const name = i % 7 === 0 ? `state/Notizen-über-日本-${i}.md` : `state/file-${i}.txt`;
    entries.push({ path: name, type: 'file', component: 'state', mode: 0o644, mtimeMs: i, size: i, sha256: 'a'.repeat(64) });
  }
  entries.splice(2500, 0, { path: `state/${'ü'.repeat(200_000)}`, type: 'directory', component: 'state', mode: 0o755, mtimeMs: 1 });
  for (const entry of entries) await writer.add(entry);
  const size = await writer.finish(new Date('2026-12-07T00:00:01.000Z'));

  const text = fs.readFileSync(file, 'utf8');
  expect(Buffer.byteLength(text)).toBe(size);
  const parsed = JSON.parse(text) as { entries: ManifestEntry[]; totals: { files: number; directories: number } };
  expect(parsed.entries).toEqual(entries);
  expect(parsed.totals.files).toBe(5000);
  expect(parsed.totals.directories).toBe(1);
});
