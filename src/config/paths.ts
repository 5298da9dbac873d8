import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** What the user told us on the command line about where OpenClaw lives. */
export interface StateLocationOptions {
  stateDir?: string | undefined;
  profile?: string | undefined;
  config?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Fallback home when neither OPENCLAW_HOME nor HOME is set (tests pass one). */
  homedir?: string;
}

export interface StatePaths {
  home: string;
  stateDir: string;
  configPath: string;
  /** "default" unless a profile was named or the state dir is ~/.openclaw-NAME. */
  profile: string;
  /** Where the state dir came from, for `status` and `doctor`. */
  source: 'flag' | 'env' | 'profile' | 'default';
}

const PROFILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateProfileName(profile: string): string {
  if (!PROFILE_PATTERN.test(profile)) {
    throw new UsageError(`invalid profile name "${profile}": use letters, digits, ".", "_" or "-"`);
  }
  return profile;
}

export function resolveHome(env: NodeJS.ProcessEnv, fallback?: string): string {
  const home = env.OPENCLAW_HOME || env.HOME || fallback || os.homedir();
  return path.resolve(home);
}

/** Expands a leading "~" against the OpenClaw home, then resolves to an absolute path. */
export function expandHome(input: string, home: string, base = process.cwd()): string {
  if (input === '~') return home;
  if (input.startsWith('~/')) return path.join(home, input.slice(2));
  return path.resolve(base, input);
}

function profileDirName(profile: string): string {
  return profile === 'default' ? '.openclaw' : `.openclaw-${profile}`;
}

function profileFromDir(stateDir: string): string {
  const match = /^\.openclaw-(.+)$/.exec(path.basename(stateDir));
  return match?.[1] && PROFILE_PATTERN.test(match[1]) ? match[1] : 'default';
}

/** Same precedence as OpenClaw: flag, OPENCLAW_STATE_DIR, --profile, OPENCLAW_PROFILE, ~/.openclaw. */
export function resolveStatePaths(options: StateLocationOptions = {}): StatePaths {
  const env = options.env ?? process.env;
  const home = resolveHome(env, options.homedir);
  const explicitProfile = options.profile ?? undefined;
  if (explicitProfile !== undefined) validateProfileName(explicitProfile);

  let stateDir: string;
  let source: StatePaths['source'];
  let profile: string | undefined = explicitProfile;
  if (options.stateDir) {
    stateDir = expandHome(options.stateDir, home);
    source = 'flag';
  } else if (env.OPENCLAW_STATE_DIR) {
    stateDir = expandHome(env.OPENCLAW_STATE_DIR, home);
    source = 'env';
  } else if (explicitProfile) {
    stateDir = path.join(home, profileDirName(explicitProfile));
    source = 'profile';
  } else if (env.OPENCLAW_PROFILE) {
    profile = validateProfileName(env.OPENCLAW_PROFILE);
    stateDir = path.join(home, profileDirName(profile));
    source = 'profile';
  } else {
    stateDir = path.join(home, '.openclaw');
    source = 'default';
  }
  profile ??= env.OPENCLAW_PROFILE && !options.stateDir && !env.OPENCLAW_STATE_DIR ? env.OPENCLAW_PROFILE : profileFromDir(stateDir);

  const configPath = options.config
    ? expandHome(options.config, home)
    : env.OPENCLAW_CONFIG_PATH
      ? expandHome(env.OPENCLAW_CONFIG_PATH, home)
      : path.join(stateDir, 'openclaw.json');

  return { home, stateDir, configPath, profile, source };
}

/** True when `child` is `parent` or lies below it. Both must be absolute. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
