import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { isCachePath, resolveServiceTarget } from '../../../src/service/target.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

/** A package installed the way npm lays one out under `root`, with npm's bin link; returns its main.js. */
function installAt(root: string, binDir: string): string {
  const main = path.join(root, 'node_modules', 'openclaw-backup', 'dist', 'cli', 'main.js');
  writeTree(path.dirname(main), { 'main.js': '' });
  fs.mkdirSync(binDir, { recursive: true });
  fs.symlinkSync(main, path.join(binDir, 'openclaw-backup'));
  return fs.realpathSync(main);
}

function resolve(home: string, cliPath: string, PATH: string) {
  const env = { HOME: home, PATH };
  return resolveServiceTarget({
    paths: resolveStatePaths({ env }),
    backupDir: path.join(home, '.openclaw', 'backups'),
    env,
    nodePath: process.execPath,
    cliPath,
    platform: 'linux',
  });
}

describe('service target', () => {
  const nodeDir = path.dirname(fs.realpathSync(process.execPath));
  const junk = ['/root/.cargo/bin', '/root/.pyenv/shims', '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin'];

  it('writes a minimal PATH: the Node binary, our bin dir when installed, the system dirs; nothing from the shell', () => {
    const home = makeTempDir();
    const prefix = path.join(home, 'prefix');
    const main = installAt(path.join(prefix, 'lib'), path.join(prefix, 'bin'));
    const { target, warnings } = resolve(home, main, [...junk, path.join(prefix, 'bin'), '/usr/bin'].join(':'));
    expect(warnings).toEqual([]);
    expect(target.cliPath).toBe(main);
    expect(target.searchPath).toBe(
      [nodeDir, path.join(prefix, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':'),
    );
  });

  it('run through npx: warns that the cache may be deleted, and keeps the cache out of PATH', () => {
    const home = makeTempDir();
    const npx = path.join(home, '.npm', '_npx', '4f1b2c');
    const main = installAt(npx, path.join(npx, 'node_modules', '.bin'));
    expect(isCachePath(main, { HOME: home })).toBe(true);
    const { target, warnings } = resolve(home, main, [path.join(npx, 'node_modules', '.bin'), ...junk].join(':'));
    expect(warnings).toEqual([expect.stringContaining(`${main} is in npm's cache (npx), which npm may delete`)]);
    expect(target.searchPath).toBe([nodeDir, '/usr/local/bin', '/usr/bin', '/bin'].filter((d, i, all) => all.indexOf(d) === i).join(':'));
  });

  it('run through npx with openclaw-backup also installed: the service runs the installed one', () => {
    const home = makeTempDir();
    const npx = path.join(home, '.npm', '_npx', '4f1b2c');
    const cached = installAt(npx, path.join(npx, 'node_modules', '.bin'));
    const prefix = path.join(home, 'prefix');
    const installed = installAt(path.join(prefix, 'lib'), path.join(prefix, 'bin'));
    const { target, warnings } = resolve(home, cached, [path.join(npx, 'node_modules', '.bin'), path.join(prefix, 'bin')].join(':'));
    expect(target.cliPath).toBe(installed);
    expect(warnings).toEqual([`${cached} is in npm's cache; the service runs the installed ${installed} instead`]);
    expect(target.searchPath.split(':')).toContain(path.join(prefix, 'bin'));
  });
});
