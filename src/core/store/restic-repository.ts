import path from 'node:path';
import { ConfigError } from '../../errors.js';
import { readSecretFile } from '../crypto/keys.js';
import type { ResticLimits } from './restic-limits.js';

/** How restic gets the repository password: a 0600 file it reads itself, or a variable of ours it inherits. */
export type ResticPassword = { file: string } | { env: string };

/** A repository as commands use it: where it is, how to unlock it, and what to call it in messages. */
export interface ResticRepository {
  /** restic's repository string, possibly with credentials (rest:https://user:pass@host/): never shown. */
  url: string;
  /** The URL without credentials: what messages, `status` and records show. */
  location: string;
  password: ResticPassword;
  /** Where the settings came from, for error messages: `backup.repository` (or the plugin path) or `--repository`. */
  keyPath: string;
  /** The same for the password: `backup.repository.passwordFile`, `….passwordEnv` or `--repository-password-file`. */
  passwordKey: string;
  /** Extra restic global options (`--cacert FILE`, `-o key=value`). Never secrets. */
  globalArgs: string[];
  /** The environment restic starts from (PATH, HOME, AWS_* …); the password variables are set by us. */
  env: NodeJS.ProcessEnv;
  /** Deadlines, stall time and lock wait (backup.repository.*Timeout, lockWait); default DEFAULT_RESTIC_LIMITS. */
  limits?: ResticLimits | undefined;
  /** Told what the user should know while commands run: a read-only repository read without a lock, a lock waited for. */
  onNotice?: ((message: string) => void) | undefined;
}

/** `user:secret@` in a URL becomes `user:***@`, as restic's own location.StripPassword does. */
export function stripCredentials(url: string): string {
  return url.replace(/(\/\/[^/@:\s]*):[^/@\s]*@/, '$1:***@');
}

/** The directory of a local repository (`/srv/restic`, `local:/srv/restic`); undefined for a remote one. */
export function localPathOf(url: string): string | undefined {
  if (url.startsWith('local:')) return path.resolve(url.slice('local:'.length));
  if (/^[a-z0-9]+:/i.test(url)) return undefined;
  return path.resolve(url);
}

/** Variables that would make restic use another repository or password than the one we hand it. */
const RESTIC_OWN = [
  'RESTIC_REPOSITORY',
  'RESTIC_REPOSITORY_FILE',
  'RESTIC_PASSWORD',
  'RESTIC_PASSWORD_FILE',
  'RESTIC_PASSWORD_COMMAND',
  'RESTIC_KEY_HINT',
];

/**
 * The child's environment: the base environment without restic's own variables, then the repository and the
 * password (as a file restic reads, or the value of the configured variable). Nothing secret goes into argv.
 */
export function resticEnv(repo: ResticRepository): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(repo.env)) if (value !== undefined && !RESTIC_OWN.includes(key)) env[key] = value;
  env.RESTIC_REPOSITORY = repo.url;
  if ('file' in repo.password) env.RESTIC_PASSWORD_FILE = repo.password.file;
  else env.RESTIC_PASSWORD = repo.env[repo.password.env] ?? '';
  // JSON status lines at 60 per second by default; two a second is plenty for progress.
  env.RESTIC_PROGRESS_FPS = '2';
  return env;
}

/**
 * Checks the password can be had before restic is started: the file exists, is private (0600, as identity files)
 * and is not empty; or the variable is set. Errors name the key.
 */
export async function checkPassword(repo: ResticRepository): Promise<void> {
  if ('file' in repo.password) {
    let text: string;
    try {
      text = await readSecretFile(repo.password.file, 'password file');
    } catch (error) {
      throw new ConfigError(`${repo.passwordKey}: ${(error as Error).message}`, { cause: error });
    }
    if (text.trim() === '') throw new ConfigError(`${repo.passwordKey}: password file ${repo.password.file} is empty`);
    return;
  }
  const value = repo.env[repo.password.env];
  if (!value) throw new ConfigError(`${repo.passwordKey}: the environment variable ${repo.password.env} is not set`);
}
