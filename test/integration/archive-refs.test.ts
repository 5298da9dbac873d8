import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { callCli } from '../helpers/cli-in-process.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('naming archives by latest, name or date on the command line', () => {
  it('verify latest and restore latest --target read the newest archive of backup.path', async () => {
    const home = makeTempDir();
    made.push(home);
    const stateDir = unpackFixture(home);
    const env = { HOME: home };
    expect((await callCli(['create'], { env })).code).toBe(0);
    fs.writeFileSync(path.join(stateDir, 'workspace', 'MEMORY.md'), 'newer notes\n');
    expect((await callCli(['create'], { env })).code).toBe(0);
    const listed = JSON.parse((await callCli(['list', '--json'], { env })).stdout) as { archive: string }[];
    expect(listed).toHaveLength(2);

    const verified = await callCli(['verify', 'latest', '--json'], { env });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, archive: listed[0]?.archive });

    const target = path.join(home, 'copy');
    const restored = await callCli(['restore', 'latest', '--target', target], { env });
    expect(restored.code).toBe(0);
    expect(fs.readFileSync(path.join(target, 'workspace', 'MEMORY.md'), 'utf8')).toBe('newer notes\n');

    const older = path.join(home, 'older');
    const byName = await callCli(['restore', path.basename(listed[1]?.archive as string), '--target', older], { env });
    expect(byName.code).toBe(0);
    expect(fs.readFileSync(path.join(older, 'workspace', 'MEMORY.md'), 'utf8')).not.toBe('newer notes\n');
    expect(listFiles(older).length).toBeGreaterThan(10);
  });

  it('a name that matches nothing is exit 2 naming the backups dir; a missing path stays exit 1', async () => {
    const home = makeTempDir();
    made.push(home);
    unpackFixture(home);
    const env = { HOME: home };
    const none = await callCli(['verify', 'latest'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`openclaw-backup: no backups in ${path.join(home, '.openclaw', 'backups')} to choose "latest" from\n`);
    expect((await callCli(['create'], { env })).code).toBe(0);
    const wrong = await callCli(['verify', 'nope'], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/no backup matches "nope" in .*backups; see openclaw-backup list\n$/);
    const missing = await callCli(['verify', path.join(home, 'absent.tar.gz')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot open .*absent\.tar\.gz: ENOENT/);
  });
});
