import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, REPO_ROOT, unpackFixture } from '../helpers/fixture.js';

export interface LogRecord {
  level: string;
  msg: string;
  time: string;
  [key: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  records: LogRecord[];
  stderr: () => string;
  waitFor(predicate: (r: LogRecord) => boolean, timeoutMs?: number, from?: number): Promise<LogRecord>;
  count(predicate: (r: LogRecord) => boolean): number;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `openclaw-backup daemon` as a real subprocess and parses its JSON log lines. */
export function startDaemon(env: NodeJS.ProcessEnv, args: string[] = [], cli = CLI): DaemonProcess {
  const child = spawn(process.execPath, [cli, ...args, 'daemon'], { env: { PATH: process.env.PATH, ...env }, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const records: LogRecord[] = [];
  let buffer = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) records.push(JSON.parse(line) as LogRecord);
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  exited.then(() => {
    for (const wake of waiters) wake();
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    records,
    stderr: () => stderr,
    exited,
    count: (predicate) => records.filter(predicate).length,
    waitFor(predicate, timeoutMs = 60_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records.slice(from).find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          } else if (done) {
            cleanup();
            reject(new Error(`daemon exited before the expected log line; stderr: ${stderr}\nlog: ${records.map((r) => r.msg).join(' | ')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for a log line; log: ${records.map((r) => r.msg).join(' | ')}; stderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}

export interface FixtureHome {
  home: string;
  stateDir: string;
  configPath: string;
  backups: string;
  env: NodeJS.ProcessEnv;
  /** Replaces the plugin's config block the way OpenClaw writes openclaw.json: temp file + rename. */
  setBackupConfig(block: Record<string, unknown>): void;
}

export function fixtureHome(home: string, block: Record<string, unknown>): FixtureHome {
  const stateDir = unpackFixture(home);
  const configPath = path.join(stateDir, 'openclaw.json');
  const original = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { plugins: { entries: Record<string, unknown> } };
  const setBackupConfig = (next: Record<string, unknown>) => {
    original.plugins.entries['openclaw-backup'] = { config: next };
    const temp = `${configPath}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(original, null, 2), { mode: 0o600 });
    fs.renameSync(temp, configPath);
  };
  setBackupConfig(block);
  return { home, stateDir, configPath, backups: path.join(stateDir, 'backups'), env: { HOME: home }, setBackupConfig };
}

export function archivesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^openclaw-backup-.*\.tar(\.gz|\.zst)?$/.test(n)).sort() : [];
}

export function tempsIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.partial') || n.startsWith('.openclaw-backup-staging-')) : [];
}
