import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatePaths } from '../config/paths.js';
import type { ServiceTarget } from './service-spec.js';

export interface ResolveTargetOptions {
  paths: StatePaths;
  backupDir: string;
  env: NodeJS.ProcessEnv;
  nodePath: string;
  cliPath: string;
  platform?: NodeJS.Platform;
  /** Directories the unit must be able to write besides the state and backups dirs (the metrics file's, a repository). */
  writablePaths?: string[];
  /** Directories install creates first (see ServiceTarget.createDirs). */
  createDirs?: string[];
  /** More environment for the daemon (see ServiceTarget.environment). */
  environment?: Record<string, string>;
}

export interface ResolvedTarget {
  target: ServiceTarget;
  /** Said before installing: e.g. the program lives in npx's cache, which npm may delete. */
  warnings: string[];
}

function realpathOr(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The user's home for service files: $HOME, as systemd's %h and launchd's per-user agents use. */
export function serviceHome(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.HOME || os.homedir());
}

const SYSTEM_DIRS: Partial<Record<NodeJS.Platform, string[]>> = {
  darwin: ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'],
};
const DEFAULT_SYSTEM_DIRS = ['/usr/local/bin', '/usr/bin', '/bin'];

const inside = (dir: string, file: string) => file === dir || file.startsWith(`${dir}${path.sep}`);

/** npx's cache (`~/.npm/_npx/<hash>`), npm's cache and the other caches npm may empty at any time. */
export function isCachePath(file: string, env: NodeJS.ProcessEnv): boolean {
  const home = serviceHome(env);
  const caches = [path.join(home, '.npm'), path.join(home, '.cache'), env.npm_config_cache]
    .filter((d): d is string => Boolean(d))
    .map((d) => path.resolve(d));
  return file.split(path.sep).includes('_npx') || caches.some((dir) => inside(dir, file));
}

/** Where npm put our `openclaw-backup` link for this install: `<prefix>/bin` (global) or `node_modules/.bin`. */
function installedBinDir(cliPath: string): string | undefined {
  // <node_modules>/openclaw-backup/dist/cli/main.js
  const nodeModules = path.dirname(path.dirname(path.dirname(path.dirname(cliPath))));
  if (path.basename(nodeModules) !== 'node_modules') return undefined;
  const candidates = [path.join(nodeModules, '.bin'), path.join(path.dirname(path.dirname(nodeModules)), 'bin')];
  return candidates.find((dir) => {
    try {
      return realpathOr(path.join(dir, 'openclaw-backup')) === cliPath;
    } catch {
      return false;
    }
  });
}

/** An installed `openclaw-backup` on PATH outside every cache: the stable program to run instead of a cached one. */
function installedElsewhere(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const bin = path.join(dir, 'openclaw-backup');
    if (!fs.existsSync(bin)) continue;
    const real = realpathOr(bin);
    if (!isCachePath(real, env) && real.endsWith(`${path.sep}main.js`)) return real;
  }
  return undefined;
}

/**
 * PATH for the daemon and its hook: the Node binary's dir, our bin dir when installed, then the system dirs. The
 * installing shell's PATH is not copied (under npx it holds npx's cache, node-gyp-bin, version-manager shims).
 */
function daemonSearchPath(nodePath: string, binDir: string | undefined, platform: NodeJS.Platform): string {
  const entries = [path.dirname(nodePath), ...(binDir ? [binDir] : []), ...(SYSTEM_DIRS[platform] ?? DEFAULT_SYSTEM_DIRS)];
  return [...new Set(entries.filter((entry) => path.isAbsolute(entry) && !/[\r\n:]/.test(entry)))].join(path.delimiter);
}

/** Absolute Node and CLI paths (symlinks resolved, so an nvm switch does not silently change the runtime). */
export function resolveServiceTarget(options: ResolveTargetOptions): ResolvedTarget {
  const { paths, env } = options;
  const warnings: string[] = [];
  const nodePath = realpathOr(options.nodePath);
  let cliPath = realpathOr(options.cliPath);
  if (isCachePath(cliPath, env)) {
    const stable = installedElsewhere(env);
    if (stable) {
      warnings.push(`${cliPath} is in npm's cache; the service runs the installed ${stable} instead`);
      cliPath = stable;
    } else {
      warnings.push(
        `${cliPath} is in npm's cache (npx), which npm may delete, and the service would then fail to start; install it from a checkout (npm pack, then npm i -g ./openclaw-backup-<version>.tgz: README, Install) and run service install again`,
      );
    }
  }
  if (isCachePath(nodePath, env))
    warnings.push(`the Node binary ${nodePath} is in a cache dir that may be deleted; run service install with an installed Node`);
  const defaultConfig = path.join(paths.stateDir, 'openclaw.json');
  const target: ServiceTarget = {
    profile: paths.profile,
    stateDir: paths.stateDir,
    configPath: paths.configPath === defaultConfig ? undefined : paths.configPath,
    backupDir: options.backupDir,
    nodePath,
    cliPath,
    home: serviceHome(env),
    searchPath: daemonSearchPath(
      nodePath,
      isCachePath(cliPath, env) ? undefined : installedBinDir(cliPath),
      options.platform ?? process.platform,
    ),
    ...(options.writablePaths?.length ? { writablePaths: options.writablePaths } : {}),
    ...(options.createDirs?.length ? { createDirs: options.createDirs } : {}),
    ...(options.environment && Object.keys(options.environment).length ? { environment: options.environment } : {}),
  };
  return { target, warnings };
}
