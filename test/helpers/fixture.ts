import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared/fixtures from the repo, found by walking up (a git worktree sits deeper than the main checkout). */
function findFixtures(): string {
  for (let dir = REPO_ROOT; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared', 'fixtures');
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
}
export const FIXTURES = findFixtures();
export const DEFAULT_FIXTURE = path.join(FIXTURES, 'openclaw-2026.9.6-default.tgz');
export const NATIVE_FIXTURE = path.join(FIXTURES, 'openclaw-native-backup.tar.gz');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** A fresh temp dir, removed by the returned cleanup. */
export function makeTempDir(prefix = 'ocb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Unpacks the real OpenClaw 2026.9.6 fixture as <home>/.openclaw and returns the state dir. */
export function unpackFixture(home: string, fixture = DEFAULT_FIXTURE): string {
  fs.mkdirSync(home, { recursive: true });
  execFileSync('tar', ['-C', home, '-xzf', fixture]);
  return path.join(home, '.openclaw');
}

/** Writes an inline tree: { 'a/b.txt': 'text', 'c/': null (dir) }. */
export function writeTree(root: string, tree: Record<string, string | Buffer | null>): void {
  for (const [rel, content] of Object.entries(tree)) {
    const abs = path.join(root, rel);
    if (content === null) fs.mkdirSync(abs, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a real subprocess with the given env (HOME etc.). */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...options.env },
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Lists every regular file under root (relative, posix), sorted. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(abs);
      if (st.isDirectory()) walk(abs, r);
      else if (st.isFile()) out.push(r);
    }
  };
  walk(root, '');
  return out;
}

/** Row count of a table in a SQLite file. */
export async function countRows(file: string, table: string): Promise<number> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
