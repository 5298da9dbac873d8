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
  /** Directories the unit must be able to write besides the state and backups dirs (the metrics file's). */
  writablePaths?: string[];
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

/** PATH for the daemon: the Node binary's dir first, then the installing shell's absolute PATH entries. */
function daemonSearchPath(env: NodeJS.ProcessEnv, nodePath: string): string {
  const entries = [path.dirname(nodePath), ...(env.PATH ?? '').split(path.delimiter), '/usr/local/bin', '/usr/bin', '/bin'];
  return [...new Set(entries.filter((entry) => path.isAbsolute(entry) && !/[\r\n:]/.test(entry)))].join(path.delimiter);
}

/** Absolute Node and CLI paths (symlinks resolved, so an nvm switch does not silently change the runtime). */
export function resolveServiceTarget(options: ResolveTargetOptions): ServiceTarget {
  const { paths } = options;
  const nodePath = realpathOr(options.nodePath);
  const defaultConfig = path.join(paths.stateDir, 'openclaw.json');
  return {
    profile: paths.profile,
    stateDir: paths.stateDir,
    configPath: paths.configPath === defaultConfig ? undefined : paths.configPath,
    backupDir: options.backupDir,
    nodePath,
    cliPath: realpathOr(options.cliPath),
    home: serviceHome(options.env),
    searchPath: daemonSearchPath(options.env, nodePath),
    ...(options.writablePaths?.length ? { writablePaths: options.writablePaths } : {}),
  };
}
