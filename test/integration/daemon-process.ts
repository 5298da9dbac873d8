import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startCli } from '../helpers/cli.js';
import { unpackFixture } from '../helpers/fixture.js';
import { parseStrictJson } from '../helpers/strict-json.js';
import { waitFor } from '../helpers/wait.js';

export interface LogRecord {
  level: string;
  msg: string;
  time: string;
  [key: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  records: LogRecord[];
  /** Lines that are not strict JSON objects (duplicate keys included), with why. */
  badLines: string[];
  stderr: () => string;
  waitFor(predicate: (r: LogRecord) => boolean, timeoutMs?: number, from?: number): Promise<LogRecord>;
  count(predicate: (r: LogRecord) => boolean): number;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `openclaw-backup daemon` as a real subprocess and parses its JSON log lines strictly. */
export function startDaemon(env: NodeJS.ProcessEnv, args: string[] = [], cli?: string): DaemonProcess {
  const running = startCli([...args, 'daemon'], { env, timeoutMs: 30 * 60_000, cli });
  const { child } = running;
  const records: LogRecord[] = [];
  const badLines: string[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      try {
        records.push(parseStrictJson(line) as LogRecord);
      } catch (error) {
        badLines.push(`${(error as Error).message}`);
        records.push(JSON.parse(line) as LogRecord);
      }
    }
  });
  let done = false;
  const exited = running.done.then((result) => {
    done = true;
    return result.code;
  });
  const log = () => records.map((r) => r.msg).join(' | ');
  return {
    child,
    records,
    badLines,
    stderr: running.stderr,
    exited,
    count: (predicate) => records.filter(predicate).length,
    waitFor(predicate, timeoutMs = 60_000, from = 0) {
      return waitFor(
        () => {
          const found = records.slice(from).find(predicate);
          if (found) return found;
          if (done) throw new Error(`daemon exited before the expected log line; stderr: ${running.stderr()}\nlog: ${log()}`);
          return undefined;
        },
        { timeoutMs, what: () => `a log line; log: ${log()}; stderr: ${running.stderr()}` },
      );
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
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => /^openclaw-backup-.*\.tar(\.gz|\.zst)?$/.test(n))
        .sort()
    : [];
}

export function tempsIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.partial') || n.startsWith('.openclaw-backup-staging-')) : [];
}
