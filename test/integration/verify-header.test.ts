import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/reader/verify-archive.js';
import { craftTar, readDocs } from '../helpers/craft.js';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let plain: string;
/** Where header.json's bytes are in the uncompressed tar. */
let headerBytes: { start: number; length: number };

beforeAll(async () => {
  const home = makeTempDir('ocb-header-');
  unpackFixture(home);
  env = { HOME: home };
  dir = path.join(home, 'archives');
  fs.mkdirSync(dir);
  plain = path.join(dir, 'plain.tar');
  const made = await runCli(['create', '--compress', 'none', '--output', plain], { env });
  expect(made.code, made.stderr).toBe(0);
  headerBytes = headerRange(plain);
}, 120_000);

/** The header document's bytes in an uncompressed tar (the first entry; a PAX header may come before it). */
function headerRange(source: string): { start: number; length: number } {
  const tar = fs.readFileSync(source);
  const start = tar.indexOf('{\n  "format": "openclaw-backup"');
  return { start, length: tar.indexOf('\n}\n', start) + 3 - start };
}

/** A copy of `source` with one byte XOR-ed. */
function flipped(source: string, offset: number, mask: number, name: string): string {
  const bytes = Buffer.from(fs.readFileSync(source));
  bytes[offset] = (bytes[offset] as number) ^ mask;
  const out = path.join(dir, name);
  fs.writeFileSync(out, bytes);
  return out;
}

/** Offset of the first letter of a header value, e.g. the hostname: flipping its case keeps the JSON valid. */
function valueOffset(source: string, key: string): number {
  const tar = fs.readFileSync(source);
  const range = headerRange(source);
  const at = tar.indexOf(`"${key}": "`, range.start);
  expect(at).toBeGreaterThan(range.start);
  expect(at).toBeLessThan(range.start + range.length);
  return at + key.length + 5;
}

describe('the header document is covered by the integrity check', () => {
  it('a changed letter in header.json (still valid JSON) is exit 3 in verify and restore, naming the header', async () => {
    const changed = flipped(plain, valueOffset(plain, 'hostname'), 0x20, 'hostname.tar');
    const verify = await runCli(['verify', changed], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(3);
    expect(verify.stderr).toContain("openclaw-backup/header.json: SHA-256 does not match the manifest's headerSha256");
    const restore = await runCli(['restore', changed, '--dry-run'], { env });
    expect(restore.code).toBe(3);
    expect((await runCli(['verify', plain], { env })).code).toBe(0);
  });

  it('every sampled byte of header.json, flipped, fails verification', async () => {
    const positions = Array.from({ length: 48 }, (_, i) => headerBytes.start + Math.floor((i * headerBytes.length) / 48));
    positions.push(valueOffset(plain, 'profile'), valueOffset(plain, 'createdAt') + 3, valueOffset(plain, 'stateDir') + 6);
    const missed: number[] = [];
    for (const [i, offset] of positions.entries()) {
      const copy = flipped(plain, offset, 0x01, `sample-${i}.tar`);
      const result = await verifyArchive(copy, { checkDatabases: false });
      if (result.ok) missed.push(offset - headerBytes.start);
      fs.rmSync(copy);
    }
    expect(missed).toEqual([]);
  }, 300_000);

  it('an archive from before headerSha256 still verifies, and a changed header is found from the manifest copy', async () => {
    const { manifest } = readDocs(plain);
    delete manifest.headerSha256;
    const old = craftTar({
      out: path.join(dir, 'old.tar'),
      gzip: false,
      copy: plain,
      drop: ['openclaw-backup/manifest.json'],
      append: [{ name: 'openclaw-backup/manifest.json', data: JSON.stringify(manifest, null, 2), mode: 0o600 }],
    });
    const ok = await runCli(['verify', old], { env });
    expect(ok.code, ok.stderr).toBe(0);
    const changed = flipped(old, valueOffset(old, 'hostname'), 0x20, 'old-hostname.tar');
    const verify = await runCli(['verify', changed], { env });
    expect(verify.code).toBe(3);
    expect(verify.stderr).toContain("openclaw-backup/header.json: differs from the manifest's copy of the header (host)");
  });
});
