import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Versions the end-to-end tests run against. */
export const OPENCLAW_VERSION = '2026.9.6';
export const NODE_VERSION = '24.21.0';

export interface OpenClawInstall {
  /** Absolute path of a Node >= 24.16 binary. */
  node: string;
  /** Absolute path of openclaw's CLI entry (run it as `${node} ${cli} …`). */
  cli: string;
  cacheDir: string;
}

/** Cache outside the repo, re-used across runs: $OPENCLAW_E2E_CACHE or ~/.cache/openclaw-backup-e2e. */
export function cacheRoot(): string {
  return process.env.OPENCLAW_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'openclaw-backup-e2e');
}

function npmInstall(prefix: string, spec: string): void {
  fs.mkdirSync(prefix, { recursive: true });
  if (!fs.existsSync(path.join(prefix, 'package.json'))) fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n');
  const run = (args: string[]) =>
    execFileSync('npm', [...args, '--prefix', prefix], { cwd: prefix, stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });
  // npm 11 skips dependency install scripts until approved: install, approve them in this private cache, rebuild.
  run(['install', '--no-audit', '--no-fund', spec]);
  run(['install-scripts', 'approve', '--all']);
  run(['rebuild']);
}

/**
 * Installs Node 24 and openclaw@2026.9.6 from the npm registry into separate cache folders (a later install in one
 * folder can remove the other's nested package). Idempotent: an existing install is re-used.
 */
export function ensureOpenClaw(): OpenClawInstall {
  const root = cacheRoot();
  const nodePrefix = path.join(root, `node-${NODE_VERSION}`);
  const clawPrefix = path.join(root, `openclaw-${OPENCLAW_VERSION}`);
  const node = path.join(nodePrefix, 'node_modules', 'node', 'bin', 'node');
  const cli = path.join(clawPrefix, 'node_modules', 'openclaw', 'openclaw.mjs');
  if (!fs.existsSync(node)) npmInstall(nodePrefix, `node@${NODE_VERSION}`);
  if (!fs.existsSync(path.join(clawPrefix, 'node_modules', 'openclaw', 'package.json')))
    npmInstall(clawPrefix, `openclaw@${OPENCLAW_VERSION}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(clawPrefix, 'node_modules', 'openclaw', 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.openclaw;
  const entry = bin ? path.join(clawPrefix, 'node_modules', 'openclaw', bin) : cli;
  return { node, cli: entry, cacheDir: root };
}

/**
 * What npm needs to reach the registry from inside a test home (its HOME hides the user's ~/.npmrc and cache):
 * the user's npm config file and cache, a CA bundle and proxies, when the outer environment has them. OpenClaw runs
 * npm for a plugin's dependencies (`openclaw plugins install`); only that call gets these.
 */
export function npmRegistryEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  const pass =
    /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|npm_config_(cafile|registry|proxy|https_proxy|noproxy|strict_ssl))$/;
  for (const [key, value] of Object.entries(env)) if (value && pass.test(key)) out[key] = value;
  const userconfig = env.npm_config_userconfig ?? path.join(os.homedir(), '.npmrc');
  if (fs.existsSync(userconfig)) out.npm_config_userconfig = userconfig;
  out.npm_config_cache = env.npm_config_cache ?? path.join(os.homedir(), '.npm');
  return out;
}
