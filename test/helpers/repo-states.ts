import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir, runCli, unpackFixture } from './fixture.js';
import type { CliResult } from './cli.js';
import { restic, writePasswordFile, type ResticCall } from './restic.js';

/** One restic repository several states back up into, as in a household or a fleet sharing one. */
export interface SharedRepo {
  dir: string;
  repo: string;
  passwordFile: string;
  call: ResticCall;
  /** --repository R --repository-password-file F: what a new machine passes. */
  flags: string[];
}

export function sharedRepo(): SharedRepo {
  const dir = makeTempDir('ocb-shared-');
  const repo = path.join(dir, 'repo');
  const passwordFile = writePasswordFile(dir);
  return {
    dir,
    repo,
    passwordFile,
    call: { repo, passwordFile },
    flags: ['--repository', repo, '--repository-password-file', passwordFile],
  };
}

export interface TestState {
  home: string;
  stateDir: string;
  cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Sets our block in openclaw.json (the gateway port is moved off the default: another suite may run a gateway). */
  setBlock(block: Record<string, unknown>): void;
  /** The state id its first backup made (from the id file). */
  stateId(): string;
}

/** A real OpenClaw state under a home of its own, backing up into `shared` (or with no block when shared is undefined). */
export function makeState(prefix: string, shared: SharedRepo | undefined, marker: string): TestState {
  const home = makeTempDir(`ocb-${prefix}-`);
  const stateDir = unpackFixture(home);
  fs.writeFileSync(path.join(stateDir, 'workspace/SOUL.md'), marker);
  const configPath = path.join(stateDir, 'openclaw.json');
  const setBlock = (block: Record<string, unknown>) => {
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as {
      plugins: { entries: Record<string, unknown> };
      gateway: { port: number };
    };
    config.plugins.entries['openclaw-backup'] = { config: block };
    config.gateway.port = 1;
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  };
  setBlock(shared ? { repository: { url: shared.repo, passwordFile: shared.passwordFile } } : {});
  return {
    home,
    stateDir,
    cli: (args, env = {}) => runCli(args, { env: { HOME: home, ...env }, timeoutMs: 300_000 }),
    setBlock,
    stateId: () => (JSON.parse(fs.readFileSync(path.join(stateDir, 'openclaw-backup-id.json'), 'utf8')) as { stateId: string }).stateId,
  };
}

export interface ListedBackup {
  archive: string;
  createdAt: string;
  snapshot?: string;
  stateId?: string;
  hostname?: string;
  profile: string;
  suspect?: string;
  madeHere?: boolean;
  sizeUnknown?: boolean;
  components: string[] | null;
  bytes: number;
}

export function parseList(result: CliResult): ListedBackup[] {
  if (result.code !== 0) throw new Error(`list failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as ListedBackup[];
}

/**
 * A snapshot made with plain restic, as anyone with the repository password can: `tree` (an archive of ours
 * unpacked: openclaw-backup/header.json, state/…, manifest.json, the layout repository snapshots had before the
 * seam moved, which stays readable) backed up with the tags, host and time given.
 */
export function forgeSnapshot(shared: SharedRepo, tree: string, options: { tags: string[]; host: string; time?: string }): string {
  const args = ['backup', '--json', '--tag', options.tags.join(','), '--host', options.host];
  if (options.time) args.push('--time', options.time);
  const out = restic(shared.call, [...args, path.join(tree, 'openclaw-backup')]);
  const summary = out
    .split('\n')
    .map((line) => (line.startsWith('{') ? (JSON.parse(line) as { message_type?: string; snapshot_id?: string }) : {}))
    .find((m) => m.message_type === 'summary');
  if (!summary?.snapshot_id) throw new Error(`restic backup made no snapshot: ${out}`);
  // restic 0.14's summary names the short id.
  const [made] = JSON.parse(restic(shared.call, ['snapshots', '--json', summary.snapshot_id])) as { id: string }[];
  if (!made) throw new Error(`restic does not list snapshot ${summary.snapshot_id}`);
  return made.id;
}
