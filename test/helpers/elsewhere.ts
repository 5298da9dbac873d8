import fs from 'node:fs';
import path from 'node:path';
import { CLI, cliEnv } from './cli.js';
import { startProcess, type ProcessResult } from './process.js';

export interface Elsewhere {
  /** The hostname the CLI sees (a UTS namespace of its own); omit to keep this machine's. */
  hostname?: string;
  /** The machine id it sees (bind-mounted over /etc/machine-id); omit to keep this machine's. */
  machineId?: string;
  /** Directories the CLI sees read-only (a read-only bind mount of each over itself). */
  readOnly?: string[];
  /** Where the machine-id file is written (a temp dir of the test's). */
  dir: string;
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI as on another machine or with part of the world read-only: in a UTS and a mount namespace of
 * its own (`unshare --uts --mount`, private mounts), it gets its own hostname, /etc/machine-id and read-only binds.
 * Needs root, as the tests run.
 */
export function runCliElsewhere(
  args: string[],
  where: Elsewhere,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const script = ['mount --make-rprivate /'];
  if (where.hostname) script.push(`hostname ${quote(where.hostname)}`);
  if (where.machineId) {
    const file = path.join(where.dir, `machine-id-${where.machineId}`);
    fs.writeFileSync(file, `${where.machineId}\n`, { mode: 0o444 });
    script.push(`mount --bind ${quote(file)} /etc/machine-id`);
  }
  for (const dir of where.readOnly ?? []) script.push(`mount --bind ${quote(dir)} ${quote(dir)}`, `mount -o remount,bind,ro ${quote(dir)}`);
  script.push('exec "$@"');
  return startProcess('unshare', ['--uts', '--mount', 'sh', '-ec', script.join('\n'), 'sh', process.execPath, CLI, ...args], {
    env: cliEnv(options.env),
    timeoutMs: options.timeoutMs ?? 300_000,
  }).done;
}
