import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real OpenClaw 2026.9.6 states the tests read (see test/fixtures/README.md); they live in the repository. */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
export const DEFAULT_FIXTURE = path.join(FIXTURES, 'openclaw-2026.9.6-default.tgz');
export const NATIVE_FIXTURE = path.join(FIXTURES, 'openclaw-native-backup.tar.gz');
// The CLI runner lives in cli.ts; re-exported here for the many tests that import it from this file.
export { CLI, runCli, type CliResult } from './cli.js';

export { makeTempDir } from './temp.js';

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
