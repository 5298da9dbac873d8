import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, unpackFixture } from '../helpers/fixture.js';
import { drawnLines, finalScreen, runCliInTty } from '../helpers/tty.js';

/** create, verify and restore as a person sees them in a terminal: a progress line with percent and ETA, then the result. */
describe('progress on a terminal', () => {
  it('create, verify and restore draw percent of bytes, the total and an ETA, and leave only their result on screen', async () => {
    const home = makeTempDir('ocb-tty-');
    const stateDir = unpackFixture(home);
    const config = path.join(stateDir, 'openclaw.json');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/', `${home}/`));
    // Incompressible, so each phase takes long enough to draw several times.
    const big = fs.openSync(path.join(stateDir, 'workspace', 'big.bin'), 'w');
    for (let i = 0; i < 24; i += 1) fs.writeSync(big, randomBytes(1 << 20));
    fs.closeSync(big);
    const archive = path.join(home, 'backup.tar.gz');
    const env = { HOME: home };

    const created = await runCliInTty(['create', '--output', archive], env, 100);
    expect(created.code, created.stdout).toBe(0);
    const frames = drawnLines(created.stdout).filter((l) => l.startsWith('Backing up'));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame).toMatch(
        /^Backing up \[\d+:\d\d\] {2}\d{1,2}\.\d% {2}[\d.]+ (B|KiB|MiB) \/ [\d.]+ MiB {2}\d+ \/ \d+ files {2}(.+\/s {2})?ETA (\d+:\d\d|-:--)$/,
      );
      expect(frame.length).toBeLessThan(100);
    }
    const screen = finalScreen(created.stdout).filter(Boolean);
    expect(screen[0]).toBe(`Created ${archive}`);
    expect(screen.some((l) => l.startsWith('Backing up'))).toBe(false);

    const verified = await runCliInTty(['verify', archive], env);
    expect(verified.code, verified.stdout).toBe(0);
    expect(
      drawnLines(verified.stdout).some((l) => /^Verifying \[\d+:\d\d\] {2}\d{1,2}\.\d% {2}.+ \/ .+ {2}\d+ entries {2}.*ETA/.test(l)),
    ).toBe(true);
    expect(finalScreen(verified.stdout).filter(Boolean)[0]).toBe(`ok: ${archive}`);

    const target = path.join(home, 'copy');
    const restored = await runCliInTty(['restore', archive, '--target', target], env);
    expect(restored.code, restored.stdout).toBe(0);
    const restoreFrames = drawnLines(restored.stdout);
    // One pass: the archive is checked while it is written, so there is no separate verify phase.
    expect(
      restoreFrames.some((l) => l.startsWith('Verifying [')),
      restoreFrames.join('\n'),
    ).toBe(false);
    expect(
      restoreFrames.some((l) => /^Restoring \[\d+:\d\d\] {2}\d{1,2}\.\d% {2}.+ \/ .+ {2}\d+ entries/.test(l)),
      restoreFrames.join('\n'),
    ).toBe(true);
    const restoredScreen = finalScreen(restored.stdout).filter(Boolean);
    expect(restoredScreen[0]).toMatch(
      new RegExp(`^Restored everything from ${archive.replaceAll('.', '\\.')} \\(.+\\): \\d+ files(, \\d+ symlinks?)? into ${target}$`),
    );
    expect(restoredScreen.some((l) => /^(Verifying|Restoring) \[/.test(l))).toBe(false);
  }, 300_000);
});
