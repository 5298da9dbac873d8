import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv } from '../helpers/cli.js';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { runProcess } from '../helpers/process.js';
import { fixtureHome } from './daemon-process.js';

/**
 * Runs the CLI with stdout a pipe whose reader is already gone (what `| head -1` leaves once head has its line):
 * every write fails with EPIPE, deterministically. Prints the child's stderr and exit code.
 */
const BROKEN_PIPE = `
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, env=os.environ)
sys.stdout.write(p.stderr.decode())
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
`;

function runIntoClosedPipe(args: string[], env: NodeJS.ProcessEnv) {
  return runProcess('python3', ['-c', BROKEN_PIPE, process.execPath, CLI, ...args], { env: cliEnv(env) });
}

/** A Node older than 22.16 on this machine (the system one, outside npm's PATH), if there is one. */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 16)) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

describe('the CLI as a process', () => {
  it('exits quietly when the reader of its output goes away (--help | head -1, list | head -1)', async () => {
    const home = makeTempDir();
    const help = await runIntoClosedPipe(['--help'], { HOME: home });
    expect(help.stdout).toBe('');
    expect(help.code).toBe(0);

    const fx = fixtureHome(makeTempDir(), {});
    expect((await runCli(['create'], { env: fx.env })).code).toBe(0);
    const list = await runIntoClosedPipe(['list'], fx.env);
    expect(list.stdout).toBe('');
    expect(list.code).toBe(0);
  });

  const old = oldNode();
  it.skipIf(!old)(`on an old Node (${old ?? 'none found'}) --version says which Node it found and which it needs, exit 2`, async () => {
    const result = await runProcess(old as string, [CLI, '--version'], { env: { PATH: '/usr/bin:/bin' } });
    const found = execFileSync(old as string, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`openclaw-backup: Node ${found} (${old}) is too old; Node 22.16 or newer is needed\n`);
  });

  it('a usage error prints the error, the suggestion and one line pointing to --help (not the whole help)', async () => {
    const home = makeTempDir();
    const option = await runCli(['create', '--compres', 'zstd'], { env: { HOME: home } });
    expect(option.code).toBe(2);
    expect(option.stdout).toBe('');
    expect(option.stderr).toBe(
      `error: unknown option '--compres'\n(Did you mean --compress?)\nRun "openclaw-backup create --help" for usage.\n`,
    );
    const command = await runCli(['lsit'], { env: { HOME: home } });
    expect(command.code).toBe(2);
    expect(command.stderr).toBe(`error: unknown command 'lsit'\n(Did you mean list?)\nRun "openclaw-backup --help" for usage.\n`);
    const nested = await runCli(['service', 'install', '--dryrun'], { env: { HOME: home } });
    expect(nested.stderr).toBe(
      `error: unknown option '--dryrun'\n(Did you mean --dry-run?)\nRun "openclaw-backup service install --help" for usage.\n`,
    );
  });

  it('LOG_LEVEL and --log-level: debug adds per-phase timings and decisions; a bad level is a usage error', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const quiet = await runCli(['run'], { env: fx.env });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('debug:');

    const debug = await runCli(['run'], { env: { ...fx.env, LOG_LEVEL: 'debug' } });
    expect(debug.code, debug.stderr).toBe(0);
    for (const phase of [
      'backup planned',
      'walked the sources and found the databases',
      'state lock taken for the snapshot phase',
      'snapshot phase done',
      'files archived',
      'verify phase done',
      'prune phase done',
    ]) {
      expect(debug.stderr).toMatch(new RegExp(`^debug: ${phase} .*`, 'm'));
    }
    expect(debug.stderr).toMatch(/^debug: snapshot phase done .*pauseMs=\d+ ms=\d+/m);

    // The flag wins over the environment.
    const flag = await runCli(['--log-level', 'warn', 'run'], { env: { ...fx.env, LOG_LEVEL: 'debug' } });
    expect(flag.stderr).not.toMatch(/^(debug|info):/m);

    const badFlag = await runCli(['--log-level', 'loud', 'run'], { env: fx.env });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(
      /^error: option '--log-level <level>' argument 'loud' is invalid\. Allowed choices are trace, debug, info, warn, error, fatal, silent\./,
    );
    const badEnv = await runCli(['run'], { env: { ...fx.env, LOG_LEVEL: 'loud' } });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toBe('openclaw-backup: LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"\n');
  });

  it('daemon and doctor on a state dir that does not exist: the message create gives (daemon exit 2, doctor exit 1)', async () => {
    const home = makeTempDir();
    const missing = path.join(home, 'nowhere');
    const message = `openclaw-backup: state dir ${missing} does not exist (set --state-dir, OPENCLAW_STATE_DIR or --profile)\n`;
    const create = await runCli(['--state-dir', missing, 'create'], { env: { HOME: home } });
    expect([create.code, create.stderr]).toEqual([2, message]);
    const daemon = await runCli(['--state-dir', missing, 'daemon'], { env: { HOME: home } });
    expect([daemon.code, daemon.stderr]).toEqual([2, message]);
    expect(fs.existsSync(missing)).toBe(false);

    const doctor = await runCli(['--state-dir', missing, 'doctor'], { env: { HOME: home } });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`error state-dir: ${message.replace('openclaw-backup: ', '').trim()}`);
    expect(doctor.stdout).not.toContain('ownership and modes are tight');
    const json = JSON.parse((await runCli(['--state-dir', missing, 'doctor', '--json'], { env: { HOME: home } })).stdout);
    expect(json.ok).toBe(false);
  });
});
