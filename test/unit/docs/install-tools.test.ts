import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT } from '../../helpers/fixture.js';
import { runProcess } from '../../helpers/process.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'install-tools.sh');

/** A PATH with bash's basics and a stub apt-get that records its arguments; none of the tools asked for. */
function stubbedPath(): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const root = makeTempDir('ocb-tools-');
  const bin = path.join(root, 'bin');
  const log = path.join(root, 'apt.log');
  fs.mkdirSync(bin);
  for (const tool of ['bash', 'id', 'dirname', 'env']) fs.symlinkSync(path.join('/usr/bin', tool), path.join(bin, tool));
  fs.writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> "${log}"\n`, { mode: 0o755 });
  return { env: { PATH: bin }, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

describe('scripts/install-tools.sh: a user installs only what backups need', () => {
  it('installs just the packages of the programs named (restic, age) when missing', async () => {
    const box = stubbedPath();
    const result = await runProcess('/usr/bin/bash', [SCRIPT, 'restic', 'age'], { env: box.env });
    expect(result.code, result.stderr).toBe(0);
    const install = box.calls().find((line) => line.startsWith('install'));
    expect(install?.split(' ').slice(-2)).toEqual(['restic', 'age']);
  });

  it('refuses a program it does not know, installing nothing', async () => {
    const box = stubbedPath();
    const result = await runProcess('/usr/bin/bash', [SCRIPT, 'resitc'], { env: box.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown program: resitc');
    expect(box.calls()).toEqual([]);
  });

  it('setup.sh (developers, CI) still names every tool the suites drive', () => {
    const setup = fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'setup.sh'), 'utf8');
    for (const tool of [
      'age',
      'rclone',
      'expect',
      'zstd',
      'systemd-analyze',
      'promtool',
      'debootstrap',
      'systemd-nspawn',
      'restic',
      'sshd',
      'chromium',
    ])
      expect(setup).toMatch(new RegExp(`install-tools\\.sh .*\\b${tool}\\b`));
  });
});
