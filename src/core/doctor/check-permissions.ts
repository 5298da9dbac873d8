import fs from 'node:fs/promises';
import path from 'node:path';
import { classifyStatePath } from '../components.js';
import { parseArchiveFileName } from '../archive/naming.js';
import { chmodNoFollow } from '../fs/no-follow.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

const ID = 'permissions';

interface Entry {
  path: string;
  mode: number;
  uid: number;
  isDir: boolean;
}

/** Config, credentials and databases hold API keys and tokens: owner-only. Lock coordinators do not. */
function isSecretFile(rel: string): boolean {
  const base = path.posix.basename(rel);
  if (base.endsWith('.lock.sqlite') || /\.sqlite\.[^/]+\.sqlite$/.test(base)) return false;
  if (/\.sqlite(-wal|-shm|-journal)?$/.test(base) || base.endsWith('.db')) return true;
  const component = classifyStatePath(rel);
  return component === 'config' || component === 'credentials';
}

async function walk(root: string, skip: (rel: string) => boolean, out: Entry[], rel = ''): Promise<void> {
  const names = await fs.readdir(path.join(root, rel)).catch(() => [] as string[]);
  for (const name of names) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (skip(childRel)) continue;
    const abs = path.join(root, childRel);
    const stat = await fs.lstat(abs).catch(() => undefined);
    if (!stat || stat.isSymbolicLink()) continue;
    out.push({ path: abs, mode: stat.mode & 0o7777, uid: stat.uid, isDir: stat.isDirectory() });
    if (stat.isDirectory()) await walk(root, skip, out, childRel);
  }
}

async function statEntry(file: string): Promise<Entry | undefined> {
  const stat = await fs.lstat(file).catch(() => undefined);
  return stat && !stat.isSymbolicLink() ? { path: file, mode: stat.mode & 0o7777, uid: stat.uid, isDir: stat.isDirectory() } : undefined;
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

interface Problem {
  entry: Entry;
  want: number | undefined;
  wrongOwner: boolean;
  level: 'warn' | 'error';
  what: string;
}

function inspect(entry: Entry, context: DoctorContext, what: string, level: 'warn' | 'error'): Problem | undefined {
  const wrongOwner = entry.uid !== context.uid;
  const loose = (entry.mode & 0o077) !== 0;
  if (!wrongOwner && !loose) return undefined;
  return { entry, want: loose ? entry.mode & 0o700 : undefined, wrongOwner, level: wrongOwner ? 'error' : level, what };
}

/** The user's own paths are checked where they lead (~/.openclaw -> /data/.openclaw); links inside are never followed. */
const real = (p: string) => fs.realpath(p).catch(() => p);

async function collect(context: DoctorContext): Promise<Problem[]> {
  const stateDir = await real(context.paths.stateDir);
  const configPath = await real(context.paths.configPath);
  const backupDir = await real(context.backupDir);
  const problems: (Problem | undefined)[] = [];
  const state = await statEntry(stateDir);
  if (!state) return [];
  problems.push(inspect(state, context, 'state dir', 'warn'));
  const entries: Entry[] = [];
  await walk(stateDir, (rel) => rel === 'tmp' || rel === 'cache' || rel === 'backups' || rel.startsWith('workspace'), entries);
  for (const entry of entries) {
    const rel = path.relative(stateDir, entry.path).split(path.sep).join('/');
    if (!entry.isDir && isSecretFile(rel)) problems.push(inspect(entry, context, 'secret file', 'error'));
    else if (entry.uid !== context.uid) problems.push({ entry, want: undefined, wrongOwner: true, level: 'error', what: 'file' });
  }
  if (!configPath.startsWith(`${stateDir}${path.sep}`)) {
    const config = await statEntry(configPath);
    if (config) problems.push(inspect(config, context, 'config', 'error'));
  }
  // A symlinked backups dir is judged (and repaired) by its target, as create judges it.
  const backups = await statEntry(backupDir);
  if (backups?.isDir) {
    const worldWritable = (backups.mode & 0o002) !== 0 && (backups.mode & 0o1000) === 0;
    problems.push(
      inspect(
        backups,
        context,
        worldWritable ? 'backups dir (writable by everyone: create refuses it)' : 'backups dir',
        worldWritable ? 'error' : 'warn',
      ),
    );
    for (const name of await fs.readdir(backupDir).catch(() => [] as string[])) {
      if (!parseArchiveFileName(name) && !name.endsWith('.partial')) continue;
      const archive = await statEntry(path.join(backupDir, name));
      if (archive && !archive.isDir) problems.push(inspect(archive, context, 'archive', 'error'));
    }
  }
  return problems.filter((p): p is Problem => p !== undefined);
}

async function repair(problem: Problem, context: DoctorContext): Promise<string> {
  const { entry } = problem;
  try {
    if (problem.wrongOwner) {
      await fs.lchown(entry.path, context.uid, context.gid);
    }
    // lchown acts on the entry itself; chmod goes through a no-follow open: a file swapped for a link is refused.
    if (problem.want !== undefined) await chmodNoFollow(entry.path, problem.want);
    const parts = [
      problem.wrongOwner ? `chown ${context.uid}:${context.gid}` : '',
      problem.want !== undefined ? `chmod ${octal(problem.want)}` : '',
    ].filter(Boolean);
    return `${parts.join(' + ')} ${entry.path}`;
  } catch (error) {
    return `could not repair ${entry.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (try: sudo chown -R "$(id -un)": ${context.paths.stateDir})`;
  }
}

function describe(problem: Problem, context: DoctorContext): string {
  const { entry } = problem;
  const owner = problem.wrongOwner ? `owned by uid ${entry.uid}, not you (uid ${context.uid})` : '';
  const mode = problem.want !== undefined ? `mode ${octal(entry.mode)}, want ${octal(problem.want)}` : '';
  return `${problem.what} ${entry.path}: ${[owner, mode].filter(Boolean).join(', ')}`;
}

/** State dir 0700, secrets/config/databases 0600, backups dir 0700, archives 0600, everything owned by the user. */
export const checkPermissions: DoctorCheck = async (context) => {
  let problems = await collect(context);
  const fixed: string[] = [];
  if (context.fix && problems.length > 0) {
    for (const problem of problems) fixed.push(await repair(problem, context));
    problems = await collect(context);
  }
  const findings: DoctorFinding[] = problems.slice(0, 20).map((problem) => ({
    id: ID,
    level: problem.level,
    message: describe(problem, context),
    fix: problem.wrongOwner
      ? `sudo chown -R "$(id -un)": ${context.paths.stateDir}`
      : `chmod ${octal(problem.want ?? 0o600)} ${problem.entry.path} (or: openclaw-backup doctor --fix)`,
  }));
  if (problems.length > 20) findings.push({ id: ID, level: 'warn', message: `… and ${problems.length - 20} more ownership/mode problems` });
  if (findings.length === 0)
    findings.push(
      ok(ID, `ownership and modes are tight (state dir, config, credentials, databases${context.backupDir ? ', backups' : ''})`),
    );
  if (fixed.length > 0) (findings[0] as DoctorFinding).fixed = fixed;
  return findings;
};
