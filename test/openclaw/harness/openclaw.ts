import fs from 'node:fs';
import path from 'node:path';
import { fakeProviderConfig, FAKE_MODEL_REF, FAKE_PROVIDER_ID } from './fake-model.js';
import type { OpenClawInstall } from './install.js';
import { runProcess, type ProcessResult } from './process.js';

/** Dummy secrets, the same as in test/fixtures. */
export const DUMMY_ANTHROPIC_KEY = 'sk-ant-test-dummy-0000';
export const DUMMY_GATEWAY_TOKEN = 'test-token-dummy-0000';

/** One user's machine: a HOME (with the user name in its path), a TMPDIR, an optional profile. */
export interface ClawHome {
  user: string;
  home: string;
  tmp: string;
  profile?: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  install: OpenClawInstall;
}

/**
 * A fresh home under `<root>/home/<user>`. The env carries nothing from the parent but PATH: no OPENCLAW_* leaks in.
 * TMPDIR points into the run dir, and Node's compile cache into the install cache (it only speeds up start-up).
 */
export function makeHome(install: OpenClawInstall, root: string, user: string, profile?: string): ClawHome {
  const home = path.join(root, 'home', user);
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const stateDir = path.join(home, profile && profile !== 'default' ? `.openclaw-${profile}` : '.openclaw');
  const env: NodeJS.ProcessEnv = {
    // Node 24 first, then `openclaw` itself (our doctor calls `openclaw config validate` when it is on PATH).
    PATH: [
      path.dirname(install.node),
      path.join(path.dirname(path.dirname(install.cli)), '.bin'),
      process.env.PATH ?? '/usr/bin:/bin',
    ].join(':'),
    HOME: home,
    USER: user,
    LOGNAME: user,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    NODE_COMPILE_CACHE: path.join(install.cacheDir, 'node-compile-cache'),
    // Belt and braces: the gateway must never advertise itself beyond loopback (the tests also check its sockets).
    OPENCLAW_DISABLE_BONJOUR: '1',
  };
  return { user, home, tmp, stateDir, env, install, ...(profile ? { profile } : {}) };
}

/** Runs the real `openclaw` CLI (Node 24 from the cache) for this home, with `--profile` when it has one. */
export function openclaw(h: ClawHome, args: string[], timeoutMs = 180_000): Promise<ProcessResult> {
  const profileArgs = h.profile ? ['--profile', h.profile] : [];
  return runProcess(h.install.node, [h.install.cli, ...profileArgs, ...args], { env: h.env, cwd: h.home, timeoutMs });
}

/** Like openclaw(), but throws with the output when the exit code is not 0. */
export async function openclawOk(h: ClawHome, args: string[], timeoutMs?: number): Promise<ProcessResult> {
  const result = await openclaw(h, args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(
      `openclaw ${args.join(' ')} exited ${result.code ?? result.signal}\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`,
    );
  }
  return result;
}

/** Parses the JSON object a `--json` command printed (tolerating a banner line before it). */
export function parseJsonOutput<T>(stdout: string): T {
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error(`no JSON object in output: ${stdout.slice(0, 500)}`);
  return JSON.parse(stdout.slice(start)) as T;
}

/** Where the harness points OpenClaw's file log: inside the state dir, not the shared /tmp/openclaw. */
export function gatewayLogFile(stateDir: string): string {
  return path.join(stateDir, 'logs', 'openclaw-e2e.log');
}

/**
 * Non-interactive onboarding with dummy keys. OpenClaw's default file log is /tmp/openclaw/openclaw-<date>.log and
 * no flag or env var moves that dir, so a config holding only `logging.file` is seeded first; onboarding keeps it.
 */
export async function onboard(h: ClawHome, gatewayPort: number, workspace?: string): Promise<void> {
  fs.mkdirSync(h.stateDir, { recursive: true, mode: 0o700 });
  const seed = path.join(h.stateDir, 'openclaw.json');
  if (!fs.existsSync(seed))
    fs.writeFileSync(seed, `${JSON.stringify({ logging: { file: gatewayLogFile(h.stateDir) } }, null, 2)}\n`, { mode: 0o600 });
  await openclawOk(h, [
    'onboard',
    '--non-interactive',
    '--accept-risk',
    '--mode',
    'local',
    '--flow',
    'quickstart',
    '--auth-choice',
    'apiKey',
    '--anthropic-api-key',
    DUMMY_ANTHROPIC_KEY,
    '--gateway-auth',
    'token',
    '--gateway-token',
    DUMMY_GATEWAY_TOKEN,
    '--gateway-bind',
    'loopback',
    '--gateway-port',
    String(gatewayPort),
    '--skip-channels',
    '--no-install-daemon',
    '--skip-health',
    '--skip-skills',
    '--skip-search',
    '--skip-ui',
    ...(workspace ? ['--workspace', workspace] : []),
    '--json',
  ]);
}

export interface ConfigSet {
  path: string;
  value: unknown;
}

/** Sets config paths in one `openclaw config set --batch-json` (each separate call costs seconds of start-up). */
export async function configSet(h: ClawHome, ops: ConfigSet[]): Promise<void> {
  await openclawOk(h, ['config', 'set', '--batch-json', JSON.stringify(ops)]);
}

/**
 * What every harness state needs after onboarding: no network on start (catalog refresh, update check), and the
 * fake loopback model as the default model.
 */
export function offlineModelConfig(fakeBaseUrl: string): ConfigSet[] {
  return [
    { path: 'models.catalogRefresh.enabled', value: false },
    { path: 'update.checkOnStart', value: false },
    { path: `models.providers.${FAKE_PROVIDER_ID}`, value: fakeProviderConfig(fakeBaseUrl) },
    { path: `agents.defaults.models["${FAKE_MODEL_REF}"]`, value: {} },
    { path: 'agents.defaults.model.primary', value: FAKE_MODEL_REF },
  ];
}

export function readConfig(h: ClawHome): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(h.stateDir, 'openclaw.json'), 'utf8')) as Record<string, unknown>;
}
