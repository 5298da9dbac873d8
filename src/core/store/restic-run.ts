import { existsSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { ConfigError, InterruptedError } from '../../errors.js';
import { describeResticFailure } from './restic-errors.js';
import { checkPassword, resticEnv, type ResticRepository } from './restic-repository.js';

export const MIN_RESTIC = [0, 14] as const;
const INSTALL = 'install it: Debian/Ubuntu `apt install restic`, macOS `brew install restic`';

/** The restic on PATH: its version, or why it cannot be used (the message names the key). */
export async function findRestic(repo: ResticRepository): Promise<{ version: string } | { problem: string }> {
  const result = await execa('restic', ['version'], {
    env: resticEnv(repo),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  if ((result as { code?: string }).code === 'ENOENT')
    return { problem: `${repo.keyPath}: restic is not installed (not found on PATH); ${INSTALL}` };
  const match = /restic (\d+)\.(\d+)\.(\d+)/.exec(String(result.stdout ?? ''));
  if (result.exitCode !== 0 || !match)
    return {
      problem: `${repo.keyPath}: \`restic version\` failed (${String(result.stderr || result.shortMessage)
        .trim()
        .split('\n')
        .at(-1)}); ${INSTALL}`,
    };
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const version = `${match[1]}.${match[2]}.${match[3]}`;
  if (major < MIN_RESTIC[0] || (major === MIN_RESTIC[0] && minor < MIN_RESTIC[1])) {
    return {
      problem: `${repo.keyPath}: restic ${version} is too old (${MIN_RESTIC.join('.')} or newer is needed); ${INSTALL.replace('install it', 'upgrade it')}`,
    };
  }
  return { version };
}

const ready = new WeakMap<ResticRepository, Promise<void>>();

/** Once per repository object: restic is there and new enough, and the password can be read. */
export function ensureRestic(repo: ResticRepository): Promise<void> {
  let check = ready.get(repo);
  if (!check) {
    check = (async () => {
      const found = await findRestic(repo);
      if ('problem' in found) throw new ConfigError(found.problem);
      await checkPassword(repo);
    })();
    ready.set(repo, check);
    check.catch(() => ready.delete(repo));
  }
  return check;
}

export interface RunResticOptions {
  signal?: AbortSignal | undefined;
  /** What the failure message calls the command (default: the first argument). */
  command?: string;
}

/** Runs one restic command to completion and returns its stdout; a failure is one typed line. */
export async function runRestic(repo: ResticRepository, args: string[], options: RunResticOptions = {}): Promise<string> {
  await ensureRestic(repo);
  const result = await execa('restic', [...repo.globalArgs, ...args], {
    env: resticEnv(repo),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 256 * 1024 * 1024,
    // SIGINT: restic removes its lock on the way out (SIGTERM leaves it behind).
    cancelSignal: options.signal,
    killSignal: 'SIGINT',
    forceKillAfterDelay: 10_000,
  });
  if (result.isCanceled || options.signal?.aborted) throw new InterruptedError(`restic ${args[0]} interrupted`);
  if (result.exitCode !== 0)
    throw describeResticFailure(repo, options.command ?? args[0] ?? 'restic', result.exitCode, String(result.stderr ?? ''));
  return String(result.stdout ?? '');
}

/** restic's --json output: one JSON value per line (backup, ls) or one document (snapshots, find, stats). */
export function parseJsonLines(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) continue;
    try {
      out.push(JSON.parse(trimmed));
    } catch {
      // a line restic wrapped or a non-JSON notice: not ours to parse
    }
  }
  return out;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * Starts a long restic command with pipes (backup from stdin, dump to stdout). On Linux the child is started under
 * `setpriv --pdeathsig KILL`, so if we are killed it dies with us instead of reading the end of its stdin as the
 * end of the archive and saving a truncated snapshot.
 */
export async function spawnRestic(
  repo: ResticRepository,
  args: string[],
  stdio: { stdin: 'pipe' | 'ignore'; stdout: 'pipe' },
): Promise<{ child: ResultPromise }> {
  await ensureRestic(repo);
  const guard = process.platform === 'linux' && existsSync(SETPRIV);
  const file = guard ? SETPRIV : 'restic';
  const argv = guard ? ['--pdeathsig', 'KILL', '--', 'restic', ...repo.globalArgs, ...args] : [...repo.globalArgs, ...args];
  // Wrapped: a subprocess is a promise, and an async function would wait for it to end.
  const child = execa(file, argv, {
    env: resticEnv(repo),
    extendEnv: false,
    reject: false,
    buffer: { stdout: false, stderr: true },
    stdin: stdio.stdin,
    stdout: stdio.stdout,
    stderr: 'pipe',
    maxBuffer: { stderr: 4 * 1024 * 1024 },
  });
  return { child };
}
