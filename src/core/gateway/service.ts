import path from 'node:path';
// execa (with its dependencies, ~20 MB) loads when a program is first run, not with the CLI: the idle daemon never needs it.
import { BackupError } from '../../errors.js';
import { gatewayServiceName } from '../service-names.js';

/** Stops and starts the gateway's service unit. Injectable: tests put a stub `systemctl` first on PATH. */
export interface GatewayService {
  /** What the unit is called here, for messages. */
  describe(): string;
  isActive(): Promise<boolean>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface GatewayServiceOptions {
  profile: string;
  home: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

async function call(file: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<{ exitCode: number; output: string }> {
  const { execa } = await import('execa');
  const result = await execa(file, args, { reject: false, env, extendEnv: env === undefined, all: true, timeout: 120_000 });
  if (result.failed && typeof result.exitCode !== 'number') {
    throw new BackupError('failure', `${file} ${args.join(' ')} failed: ${result.shortMessage}`);
  }
  return {
    exitCode: result.exitCode ?? 1,
    output:
      String(result.all ?? '')
        .trim()
        .split('\n')
        .slice(-1)[0] ?? '',
  };
}

async function mustSucceed(file: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<void> {
  const { exitCode, output } = await call(file, args, env);
  if (exitCode !== 0) throw new BackupError('failure', `${file} ${args.join(' ')} exited with ${exitCode}${output ? `: ${output}` : ''}`);
}

export function createGatewayService(options: GatewayServiceOptions): GatewayService {
  const platform = options.platform ?? process.platform;
  const name = gatewayServiceName(options.profile, platform);
  if (platform === 'darwin') {
    const domain = `gui/${process.getuid?.() ?? 501}`;
    const plist = path.join(options.home, 'Library', 'LaunchAgents', `${name}.plist`);
    return {
      describe: () => `launchd ${domain}/${name}`,
      isActive: async () => (await call('launchctl', ['print', `${domain}/${name}`], options.env)).exitCode === 0,
      stop: () => mustSucceed('launchctl', ['bootout', `${domain}/${name}`], options.env),
      start: () => mustSucceed('launchctl', ['bootstrap', domain, plist], options.env),
    };
  }
  return {
    describe: () => `systemd user unit ${name}`,
    isActive: async () => (await call('systemctl', ['--user', 'is-active', '--quiet', name], options.env)).exitCode === 0,
    stop: () => mustSucceed('systemctl', ['--user', 'stop', name], options.env),
    start: () => startSystemdUnit(name, options.env),
  };
}

/**
 * Starts the gateway again after the snapshot phase. Our own stop/start pairs count against the unit's start limit
 * (systemd's default: 5 starts in 10 s), so a frequent schedule can make the start fail with start-limit-hit and
 * leave the gateway down for good: then the failed state is reset and the start tried once more.
 */
async function startSystemdUnit(name: string, env: NodeJS.ProcessEnv | undefined): Promise<void> {
  const first = await call('systemctl', ['--user', 'start', name], env);
  if (first.exitCode === 0) return;
  await call('systemctl', ['--user', 'reset-failed', name], env);
  await mustSucceed('systemctl', ['--user', 'start', name], env);
}
