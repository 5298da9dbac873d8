import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findUnsafeConfigWriter, repairConfigMode } from '../../../src/core/config-safety.js';
import { checkConfigFileForHook } from '../../../src/hooks/post-backup.js';
import { makeTempDir } from '../../helpers/fixture.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const uid = process.getuid?.() ?? 0;

/** <tmp>/home (0700)/.openclaw (0700)/openclaw.json (0600): safe until a test loosens something. */
function layout(): { home: string; state: string; config: string } {
  const root = makeTempDir();
  dirs.push(root);
  const home = path.join(root, 'home');
  const state = path.join(home, '.openclaw');
  fs.mkdirSync(state, { recursive: true, mode: 0o700 });
  fs.chmodSync(home, 0o700);
  const config = path.join(state, 'openclaw.json');
  fs.writeFileSync(config, '{}', { mode: 0o600 });
  return { home, state, config };
}

describe('postBackup safety: the real file and every directory above it, as OpenSSH checks authorized_keys', () => {
  it('a safe layout passes', async () => {
    expect(await findUnsafeConfigWriter(layout().config, uid)).toBeUndefined();
  });

  it('a symlinked config is judged by its target: a 0600 file in a 0777 dir is refused, naming that dir', async () => {
    const { home, config } = layout();
    const open = path.join(home, 'shared');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const real = path.join(open, 'openclaw.json');
    fs.renameSync(config, real);
    fs.symlinkSync(real, config);
    expect(await checkConfigFileForHook(config, uid)).toBe(
      `postBackup refused: ${open} (a parent of the config) is writable by others (mode 0777): anyone there can replace the config; run chmod go-w ${open}`,
    );
    fs.chmodSync(open, 0o1777); // sticky: others cannot replace our file
    expect(await checkConfigFileForHook(config, uid)).toBeUndefined();
  });

  it('a group-writable parent up the chain ($HOME 0775) is refused', async () => {
    const { home, config } = layout();
    fs.chmodSync(home, 0o775);
    const problem = await findUnsafeConfigWriter(config, uid);
    expect(problem).toMatchObject({ path: home, fix: `chmod go-w ${home}`, repair: { path: home, mode: 0o755 } });
    expect(problem?.reason).toBe(
      `${home} (a parent of the config) is writable by its group (mode 0775): anyone there can replace the config`,
    );
  });

  it('a group-writable state dir names the dir and chmod go-w, not chmod 600 of the file', async () => {
    const { state, config } = layout();
    fs.chmodSync(state, 0o770);
    const refused = await checkConfigFileForHook(config, uid);
    expect(refused).toContain(`${state} (a parent of the config) is writable by its group (mode 0770)`);
    expect(refused).toMatch(new RegExp(`; run chmod go-w ${state}$`));
    expect(refused).not.toContain('chmod 600');
  });

  it('a writable file names chmod 600; a foreign owner names chown; a repair never follows a link', async () => {
    const { config, home } = layout();
    fs.chmodSync(config, 0o660);
    const problem = await findUnsafeConfigWriter(config, uid);
    expect(problem?.fix).toBe(`chmod 600 ${config}`);
    expect(await repairConfigMode(problem?.repair as NonNullable<typeof problem>['repair'] & object)).toBe(true);
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);
    expect(await findUnsafeConfigWriter(config, uid)).toBeUndefined();
    // The path was swapped for a link since it was checked: nothing is changed through it.
    const other = path.join(home, 'other');
    fs.writeFileSync(other, '', { mode: 0o666 });
    fs.chmodSync(other, 0o666);
    fs.rmSync(config);
    fs.symlinkSync(other, config);
    expect(await repairConfigMode({ path: config, mode: 0o600, ino: fs.statSync(other).ino })).toBe(false);
    expect(fs.statSync(other).mode & 0o777).toBe(0o666);
    if (uid === 0) {
      fs.rmSync(config);
      fs.writeFileSync(config, '{}', { mode: 0o600 });
      fs.chownSync(config, 4321, 4321);
      expect(await findUnsafeConfigWriter(config, uid)).toMatchObject({
        reason: `${config} is owned by uid 4321, not by you (uid 0) or root`,
        fix: `sudo chown 0 ${config}`,
      });
    }
  });
});
