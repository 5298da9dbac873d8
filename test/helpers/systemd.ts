import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './fixture.js';

export interface VerifyOutcome {
  code: number | null;
  output: string;
}

/**
 * `systemd-analyze verify --user` on a unit file (a temp runtime dir stands in for a logged-in user). For a
 * template, `instance` names an instance to load from the unit's directory. Warnings count as failures.
 */
export function verifyUnit(file: string, instance?: string): VerifyOutcome {
  const runtime = makeTempDir('ocb-xdg-runtime-');
  fs.chmodSync(runtime, 0o700);
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime, ...(instance ? { SYSTEMD_UNIT_PATH: `${path.dirname(file)}:` } : {}) };
  const result = spawnSync('systemd-analyze', ['verify', '--user', instance ?? file], { env, encoding: 'utf8' });
  fs.rmSync(runtime, { recursive: true, force: true });
  return { code: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}
