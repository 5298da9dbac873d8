import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodNoFollow, NotRegularError, readRegularNoFollow, rewriteRegularNoFollow } from '../../../src/core/fs/no-follow.js';
import { makeTempDir } from '../../helpers/fixture.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('ocb-nofollow-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('no-follow file operations', () => {
  it('chmod changes a file and a directory, and refuses a symlink without touching what it points to', async () => {
    const file = path.join(dir, 'f');
    const sub = path.join(dir, 'd');
    const outside = path.join(dir, 'outside');
    fs.writeFileSync(file, 'x');
    fs.mkdirSync(sub);
    fs.mkdirSync(outside, { mode: 0o755 });
    fs.chmodSync(outside, 0o755);
    fs.symlinkSync(outside, path.join(dir, 'link'));
    await chmodNoFollow(file, 0o600);
    await chmodNoFollow(sub, 0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(sub).mode & 0o777).toBe(0o700);
    await expect(chmodNoFollow(path.join(dir, 'link'), 0o700)).rejects.toBeInstanceOf(NotRegularError);
    expect(fs.statSync(outside).mode & 0o777).toBe(0o755);
  });

  it('reads and rewrites only regular files: a symlink or a FIFO is refused at once (no blocking open)', async () => {
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, '{ a: 1 }');
    fs.symlinkSync(file, path.join(dir, 'link.json'));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    expect((await readRegularNoFollow(file, 100)).toString()).toBe('{ a: 1 }');
    await rewriteRegularNoFollow(file, '{}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{}');
    for (const name of ['link.json', 'fifo']) {
      await expect(readRegularNoFollow(path.join(dir, name), 100)).rejects.toThrow(/is a (symlink|FIFO), not a regular file/);
      await expect(rewriteRegularNoFollow(path.join(dir, name), 'x')).rejects.toBeInstanceOf(NotRegularError);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('{}');
    await expect(readRegularNoFollow(file, 1)).rejects.toThrow(/larger than 1 bytes/);
  });
});
