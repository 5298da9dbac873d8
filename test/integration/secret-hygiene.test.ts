import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import type { CommandIO } from '../../src/cli/context.js';
import { generateAgeKey, requireAgeCli, writeSecretFile, type AgeKey } from '../helpers/age.js';
import { makeFixtureHome, setBackupBlock, type FixtureHome } from '../helpers/encrypted-fixture.js';
import { startCli } from '../helpers/cli.js';
import { runCli, writeTree } from '../helpers/fixture.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Every command the program registers — found through commander, so a new command is covered without editing
 * this file — runs with debug logging against a state full of known dummy secrets, on success and error paths.
 * No secret may appear in anything it prints.
 */

const PASSPHRASE = 'dummy-passphrase-PLANTED-0000';
const FIXTURE_SECRETS = ['sk-ant-test-dummy-0000', 'test-token-dummy-0000', 'sk-fake-local-dummy-0000'];
const PLANTED = { apiKey: 'sk-planted-credential-dummy-0000', env: 'sk-planted-dotenv-dummy-0000' };
const DEBUG_ENV = { OPENCLAW_BACKUP_DEBUG: '1', OPENCLAW_BACKUP_LOG_LEVEL: 'debug', LOG_LEVEL: 'debug', DEBUG: '*' };
/** A command that has not ended after this much is hung: a failure, not something to wait out. */
const HUNG_MS = 300_000;

let fx: FixtureHome;
let key: AgeKey;
let otherKey: AgeKey;
let passFile: string;
let secrets: string[];
const archives = { recipients: '', passphrase: '', tampered: '' };

interface Run {
  label: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  brokenConfig?: boolean;
}

/**
 * Runs the CLI to its end. The daemon never ends by itself: once it says it is ready (after any catch-up backup, with
 * its hooks), it gets SIGTERM, as a service manager would send. Nothing else is stopped early, however slow the
 * machine (a SIGTERM on a timer stopped `run` before its hook under load).
 */
async function runSettled(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const running = startCli(args, { env, timeoutMs: HUNG_MS });
  if (args.includes('daemon') && !args.includes('--help')) {
    const ready = await Promise.race([
      waitFor(() => running.stderr().includes('daemon ready') || running.stdout().includes('daemon ready'), {
        what: 'the daemon to say it is ready',
        timeoutMs: HUNG_MS,
      }).catch(() => false),
      running.done.then(() => false),
    ]);
    if (ready) running.child.kill('SIGTERM');
  }
  const result = await running.done;
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

function longs(command: Command): Set<string> {
  return new Set(command.options.map((o) => o.long).filter((l): l is string => Boolean(l)));
}

/** Values for a command's positional arguments: a dir where the name says so, else an archive. */
function positionals(command: Command, archive: string): string[] {
  return command.registeredArguments
    .filter((a) => a.required || /archive|file|path/i.test(a.name()))
    .map((a) => (/dir/i.test(a.name()) ? fx.out : archive));
}

/** The success and error paths worth exercising for one command, from the options it declares. */
function runsFor(command: Command, name: string[]): Run[] {
  const has = longs(command);
  const json = has.has('--json') ? ['--json'] : [];
  const once = has.has('--once') ? ['--once'] : [];
  const withKey = (archive: string, keyArgs: string[]) => [...name, ...positionals(command, archive), ...keyArgs, ...once];
  const idArgs = has.has('--identity') ? ['--identity', key.identityFile] : [];
  const runs: Run[] = [
    { label: 'help', args: [...name, '--help'] },
    { label: 'default', args: withKey(archives.recipients, idArgs) },
    { label: 'json', args: [...withKey(archives.recipients, idArgs), ...json] },
    { label: 'identity from env', args: withKey(archives.recipients, []), env: { OPENCLAW_BACKUP_IDENTITY: key.identityFile } },
    { label: 'broken config', args: withKey(archives.recipients, idArgs), brokenConfig: true },
  ];
  if (has.has('--details')) runs.push({ label: 'details', args: [...withKey(archives.recipients, idArgs), '--details', ...json] });
  if (has.has('--dry-run')) runs.push({ label: 'dry run', args: [...withKey(archives.recipients, idArgs), '--dry-run'] });
  if (has.has('--passphrase-file'))
    runs.push({ label: 'passphrase', args: [...withKey(archives.passphrase, ['--passphrase-file', passFile]), ...json] });
  if (has.has('--identity')) {
    runs.push({ label: 'wrong identity', args: withKey(archives.recipients, ['--identity', otherKey.identityFile]) });
    runs.push({ label: 'tampered', args: [...withKey(archives.tampered, idArgs), ...json] });
  }
  if (has.has('--encrypt-to'))
    runs.push({
      label: 'encrypt-to',
      args: [...withKey(archives.recipients, ['--encrypt-to', key.recipient, ...idArgs]), '--verify', ...json],
    });
  return runs;
}

function leaks(output: string): string[] {
  const lower = output.toLowerCase();
  return secrets.filter((s) => lower.includes(s.toLowerCase()));
}

beforeAll(async () => {
  requireAgeCli();
  fx = makeFixtureHome('ocb-hygiene-');
  key = generateAgeKey(fx.root);
  otherKey = generateAgeKey(fx.root, 'other-key.txt');
  passFile = writeSecretFile(path.join(fx.root, 'passphrase'), `${PASSPHRASE}\n`);
  writeTree(fx.stateDir, {
    'credentials/planted.json': JSON.stringify({ apiKey: PLANTED.apiKey }),
    '.env': `OPENAI_API_KEY=${PLANTED.env}\n`,
  });
  secrets = [...FIXTURE_SECRETS, PLANTED.apiKey, PLANTED.env, PASSPHRASE, key.secret, otherKey.secret];
  // The hook prints its whole environment, which `run` and the daemon log line by line.
  setBackupBlock(fx.stateDir, {
    path: path.join(fx.root, 'backups'),
    encrypt: { passphraseEnv: 'OCB_HYGIENE_PASSPHRASE' },
    postBackup: 'env; echo hook-ran-marker',
  });
  // Service managers are stubbed: `service install` must not reach the machine's real systemd or launchd.
  const stubs = path.join(fx.root, 'stub-bin');
  writeTree(stubs, Object.fromEntries(['systemctl', 'loginctl', 'launchctl'].map((tool) => [tool, '#!/bin/sh\nexit 0\n'])));
  for (const tool of fs.readdirSync(stubs)) fs.chmodSync(path.join(stubs, tool), 0o755);
  fx.env = { ...fx.env, ...DEBUG_ENV, OCB_HYGIENE_PASSPHRASE: PASSPHRASE, PATH: `${stubs}:${process.env.PATH}` };
  for (const [kind, args] of [
    ['recipients', ['--encrypt-to', key.recipient]],
    ['passphrase', ['--passphrase-file', passFile]],
  ] as const) {
    const file = path.join(fx.out, `${kind}.tar.gz.age`);
    const created = await runCli(['create', ...args, '-o', file], { env: fx.env });
    expect(created.code, created.stderr).toBe(0);
    archives[kind] = file;
  }
  const bytes = fs.readFileSync(archives.recipients);
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] as number) ^ 0xff;
  archives.tampered = path.join(fx.out, 'tampered.tar.gz.age');
  fs.writeFileSync(archives.tampered, bytes, { mode: 0o600 });
}, 180_000);
afterAll(() => fs.rmSync(fx.root, { recursive: true, force: true }));

// Every command registered, to name each leaf command below (top-level await: the tests are made from it).
const program = await buildProgram({
  stdout: process.stdout,
  stderr: process.stderr,
  env: {},
  signal: new AbortController().signal,
} as unknown as CommandIO);

describe('secret hygiene', () => {
  it('the planted secrets are really in the state and in the archives (so a leak would be seen)', () => {
    const plain = execFileSync('age', ['-d', '-i', key.identityFile, archives.recipients], { maxBuffer: 64 << 20 });
    const listing = execFileSync(
      'tar',
      [
        '-xzO',
        '-f',
        '-',
        'openclaw-backup/state/openclaw.json',
        'openclaw-backup/state/credentials/planted.json',
        'openclaw-backup/state/.env',
      ],
      { input: plain },
    ).toString('utf8');
    expect(leaks(listing)).toEqual(expect.arrayContaining(['test-token-dummy-0000', PLANTED.apiKey, PLANTED.env]));
    expect(leaks(fs.readFileSync(key.identityFile, 'utf8'))).toEqual([key.secret]);
  });

  /** Leaf commands with their full names (`service install`), found recursively. */
  const leaves = (command: Command, prefix: string[]): Array<{ command: Command; name: string[] }> =>
    command.commands
      .filter((c) => c.name() !== 'help')
      .flatMap((c) => (c.commands.length > 0 ? leaves(c, [...prefix, c.name()]) : [{ command: c, name: [...prefix, c.name()] }]));
  const commands = leaves(program, []);

  it('the program has commands to check', () => {
    expect(commands.map((c) => c.name.join(' '))).toEqual(expect.arrayContaining(['create', 'verify']));
  });

  it('top-level --help and --version', async () => {
    for (const args of [['--help'], ['--version']]) {
      const result = await runSettled(args, fx.env);
      expect(result.code).toBe(0);
      expect(leaks(result.output)).toEqual([]);
    }
  });

  for (const { command, name } of commands) {
    it(`${name.join(' ')}: no secret in any output, with debug logging, on success and error paths`, async () => {
      const found: string[] = [];
      let all = '';
      for (const run of runsFor(command, name)) {
        const configFile = path.join(fx.stateDir, 'openclaw.json');
        const saved = fs.readFileSync(configFile);
        if (run.brokenConfig) setBackupBlock(fx.stateDir, { encrypt: { recipients: [key.secret], passphraseEnv: 'not a name' } });
        try {
          const result = await runSettled(['--state-dir', fx.stateDir, ...run.args], { ...fx.env, ...run.env });
          expect(result.code, `${run.label}: ${result.output}`).not.toBeNull();
          all += result.output;
          for (const secret of leaks(result.output)) found.push(`${run.label} (${run.args.join(' ')}): ${secret}`);
        } finally {
          fs.writeFileSync(configFile, saved);
        }
      }
      expect(found).toEqual([]);
      // The hook (which prints its environment) really ran, so a passphrase passed down to it would have shown.
      if (name.join(' ') === 'run') expect(all).toContain('hook-ran-marker');
    }, 600_000);
  }
});
