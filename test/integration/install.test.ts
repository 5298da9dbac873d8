import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, unpackFixture } from '../helpers/fixture.js';
import { runProcess } from '../helpers/process.js';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const TARBALL = `openclaw-backup-${pkg.version}.tgz`;

/**
 * The README's install, as a user runs it: `npm pack` in the checkout, then `npm i -g ./openclaw-backup-<v>.tgz`.
 * npm's global prefix is a temp dir (NPM_CONFIG_PREFIX, so the README's command runs unchanged). `npm ci` is not
 * repeated (it would replace node_modules under the other tests); the pack skips its prepack build for the same
 * reason (dist/ is what `npm test` just built) — the prepack script itself is checked in test/unit/package.test.ts.
 * The installed command then runs from outside the checkout on the test run's Node 24 (standing in for the user's).
 */
describe('install from a packed tarball', () => {
  it('packs, installs into a global prefix, and the installed command runs --version, create and service install', async () => {
    const root = makeTempDir('ocb-install-');
    const prefix = path.join(root, 'prefix');
    const nodeDir = path.dirname(process.execPath);
    // npm 11 keeps a compile cache in its TMPDIR: give it one inside this test's dir.
    const npmTmp = path.join(root, 'npm-tmp');
    fs.mkdirSync(npmTmp);
    const npmEnv: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}`,
      TMPDIR: npmTmp,
      NPM_CONFIG_PREFIX: prefix,
      NPM_CONFIG_PREFER_OFFLINE: 'true',
      NPM_CONFIG_AUDIT: 'false',
      NPM_CONFIG_FUND: 'false',
    };

    const pack = await runProcess('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      env: npmEnv,
      cwd: REPO_ROOT,
    });
    expect(pack.code, pack.stderr).toBe(0);
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('systemd/openclaw-backup.service');
    expect(files).toContain('README.md');
    expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);

    const install = await runProcess('npm', ['i', '-g', `./${TARBALL}`], { env: npmEnv, cwd: root, timeoutMs: 300_000 });
    expect(install.code, install.stderr).toBe(0);
    // No install-time script in the package (npm 11 warns about each one not covered by allowScripts).
    expect(install.stderr).not.toMatch(/install-scripts|prepare/);
    const installed = path.join(prefix, 'lib', 'node_modules', 'openclaw-backup', 'dist', 'cli', 'main.js');
    expect(fs.realpathSync(path.join(prefix, 'bin', 'openclaw-backup'))).toBe(fs.realpathSync(installed));

    const home = path.join(root, 'home');
    unpackFixture(home);
    const userEnv = {
      HOME: home,
      PATH: [path.join(prefix, 'bin'), nodeDir, '/usr/bin', '/bin'].join(path.delimiter),
      TMPDIR: process.env.TMPDIR,
    };
    const user = (args: string[]) => runProcess('openclaw-backup', args, { env: userEnv, cwd: root });

    const version = await user(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const create = await user(['create']);
    expect(create.code, create.stderr).toBe(0);
    const archives = fs.readdirSync(path.join(home, '.openclaw', 'backups')).filter((n) => n.endsWith('.tar.gz'));
    expect(archives).toHaveLength(1);

    const service = await user(['service', 'install', '--dry-run']);
    expect(service.code, service.stderr).toBe(0);
    const execStart = service.stdout.split('\n').find((line) => line.startsWith('ExecStart='));
    // ExecStart=<node> <flags> <cli> daemon: the program is the installed copy, nothing of the checkout.
    expect(execStart).toContain(` ${fs.realpathSync(installed)} `);
    expect(
      execStart!.split(' ').filter((word) => word.startsWith(REPO_ROOT) && !word.startsWith(path.join(REPO_ROOT, 'node_modules', 'node'))),
    ).toEqual([]);
    expect(service.stdout).toContain(path.join(fs.realpathSync(prefix), 'bin'));
  }, 600_000);
});
