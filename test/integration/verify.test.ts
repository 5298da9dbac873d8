import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FIXTURE, makeTempDir, NATIVE_FIXTURE, writeTree } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';
import { fixtureWithArchive } from '../helpers/tree.js';

let home: string;
let archive: string;

beforeAll(async () => {
  home = makeTempDir('ocb-verify-');
  ({ archive } = await fixtureWithArchive(home));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function expectCleanFailure(result: { code: number | null; stderr: string }, reason: RegExp): void {
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(reason);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('verify', () => {
  it('passes our archive in every compression', async () => {
    const ok = await callCli(['verify', archive]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/every SHA-256 matches the manifest/);
    for (const kind of ['zstd', 'none']) {
      const file = path.join(home, `b-${kind}.tar`);
      expect((await callCli(['create', '--output', file, '--compress', kind], { env: { HOME: home } })).code).toBe(0);
      const result = await callCli(['verify', '--json', file]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, format: 'openclaw-backup', compression: kind, hashesChecked: true });
    }
  });

  it('passes OpenClaw-native and hand-made archives, saying they carry no hashes', async () => {
    const native = await callCli(['verify', NATIVE_FIXTURE]);
    expect(native.code).toBe(0);
    expect(native.stdout).toMatch(/OpenClaw native backup.*3 databases passed integrity_check.*no content hashes/s);
    const handMade = path.join(home, 'hand.tar.gz');
    execFileSync('tar', ['-C', home, '-czf', handMade, '.openclaw']);
    const hand = await callCli(['verify', '--json', handMade]);
    expect(hand.code).toBe(0);
    expect(JSON.parse(hand.stdout)).toMatchObject({ ok: true, format: 'hand-made', hashesChecked: false });
    const absolute = await callCli(['verify', DEFAULT_FIXTURE]);
    expect(absolute.code).toBe(0);
    expect(absolute.stdout).toMatch(/hand-made tar of a state dir/);
  });

  it('fails empty, non-archive, truncated, wrong-format and missing files with one clean line', async () => {
    const dir = makeTempDir('ocb-verify-bad-');
    writeTree(dir, { 'empty.tar.gz': '', 'notes.txt': 'hello, not an archive\n', 'other/a.txt': 'x' });
    execFileSync('tar', ['-C', path.join(dir, 'other'), '-czf', path.join(dir, 'other.tar.gz'), 'a.txt']);
    fs.writeFileSync(path.join(dir, 'truncated.tar.gz'), fs.readFileSync(archive).subarray(0, 40_000));
    fs.writeFileSync(path.join(dir, 'zeros.tar'), Buffer.alloc(10_240));
    expectCleanFailure(await callCli(['verify', path.join(dir, 'empty.tar.gz')]), /empty\.tar\.gz: is empty/);
    expectCleanFailure(await callCli(['verify', path.join(dir, 'notes.txt')]), /not a tar, tar\.gz or tar\.zst archive/);
    expectCleanFailure(await callCli(['verify', path.join(dir, 'truncated.tar.gz')]), /archive is truncated/);
    expectCleanFailure(await callCli(['verify', path.join(dir, 'other.tar.gz')]), /a\.txt: not an OpenClaw backup/);
    expectCleanFailure(await callCli(['verify', path.join(dir, 'zeros.tar')]), /not a tar|holds no entries/);
    expectCleanFailure(await callCli(['verify', dir]), /is not a regular file/);
    const missing = await callCli(['verify', path.join(dir, 'nope.tar.gz')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot open .*nope\.tar\.gz: ENOENT/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--json lists every problem while the message names the first', async () => {
    const dir = makeTempDir('ocb-verify-json-');
    const unpacked = path.join(dir, 'x');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-C', unpacked, '-xzf', archive]);
    fs.appendFileSync(path.join(unpacked, 'openclaw-backup/state/workspace/SOUL.md'), 'edited');
    fs.appendFileSync(path.join(unpacked, 'openclaw-backup/state/workspace/USER.md'), 'edited');
    const repacked = path.join(dir, 'edited.tar.gz');
    // GNU tar, keeping the old manifest and the original entry order (header first, manifest last).
    const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    fs.writeFileSync(path.join(dir, 'names'), `${names.join('\n')}\n`);
    execFileSync('tar', ['-C', unpacked, '--no-recursion', '-czf', repacked, '-T', path.join(dir, 'names')]);
    const result = await callCli(['verify', '--json', repacked]);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout) as { problems: Array<{ path: string; reason: string }> };
    expect(report.problems.map((p) => p.path).sort()).toEqual([
      'openclaw-backup/state/workspace/SOUL.md',
      'openclaw-backup/state/workspace/USER.md',
    ]);
    expect(result.stderr).toMatch(/SOUL\.md: size \d+, manifest says \d+ \(and 1 more problem\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
