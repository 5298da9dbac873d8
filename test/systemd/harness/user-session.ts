import fs from 'node:fs';
import path from 'node:path';
import { CONTAINER_CLI, CONTAINER_NODE } from './checkout.js';
import { waitFor, type ProcessResult } from '../../openclaw/harness/process.js';
import type { Container } from './container.js';

/** The user inside: the fixture's paths point at /home/openclaw, as on the machine that made it. */
export const USER = 'openclaw';
export const UID = 1000;
export const HOME = `/home/${USER}`;
/** The project's own Node 24 (devDependency `node@24`), reached through the read-only bind of the project. */
export const NODE = CONTAINER_NODE;

export interface JournalEntry {
  message: string;
  pid: number | undefined;
  /** `stdout` for what a service printed; `journal`/`syslog` for systemd's own messages about it. */
  transport: string;
  /** Microseconds since the epoch, as journald stamps it. */
  realtime: number;
  /** Microseconds of CLOCK_MONOTONIC: the clock of systemd's *TimestampMonotonic properties. */
  monotonic: number;
  bootId: string;
  /** The journal's own order (the cursor's sequence number). */
  seqnum: number;
  raw: Record<string, unknown>;
}

/** One of our pino lines, as journald stored the daemon's stdout. */
export interface DaemonLine {
  msg: string;
  level: string;
  pid: number;
  [key: string]: unknown;
}

function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('utf8');
  return '';
}

function seqnumOf(cursor: unknown): number {
  const hex = /(?:^|;)i=([0-9a-f]+)/.exec(String(cursor))?.[1];
  return hex ? Number.parseInt(hex, 16) : 0;
}

export function daemonLines(entries: JournalEntry[]): DaemonLine[] {
  return entries.flatMap((entry) => {
    if (!entry.message.startsWith('{')) return [];
    try {
      return [JSON.parse(entry.message) as DaemonLine];
    } catch {
      return [];
    }
  });
}

/**
 * A login-less user with lingering on, so logind starts `user@UID.service` at boot and keeps it: everything is driven
 * through that user's real `systemctl --user` and `journalctl --user`.
 */
export class UserSession {
  private constructor(readonly container: Container) {}

  /** Creates the user (first boot) and waits for its user manager. */
  static async create(container: Container): Promise<UserSession> {
    await mustSucceed(container.exec(['useradd', '--create-home', '--uid', String(UID), '--shell', '/bin/bash', USER]), 'useradd');
    await mustSucceed(container.exec(['loginctl', 'enable-linger', USER]), 'loginctl enable-linger');
    const session = new UserSession(container);
    await session.waitForManager();
    return session;
  }

  /** The same user after the container booted again: linger starts its manager at boot. */
  static async attach(container: Container): Promise<UserSession> {
    const session = new UserSession(container);
    await session.waitForManager();
    return session;
  }

  async waitForManager(): Promise<void> {
    await waitFor(
      async () =>
        (await this.container.exec(['systemctl', 'is-active', `user@${UID}.service`])).stdout.trim() === 'active' ? true : undefined,
      60_000,
      () => `user@${UID}.service did not become active`,
    );
    const state = await this.systemctl(['is-system-running', '--wait'], 120_000);
    if (state.stdout.trim() !== 'running') throw new Error(`the user manager is "${state.stdout.trim()}": ${state.stderr.trim()}`);
  }

  /** A minimal login-like environment: the user's runtime dir and bus, Node 24 first on PATH. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      HOME,
      USER,
      LOGNAME: USER,
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      XDG_RUNTIME_DIR: `/run/user/${UID}`,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=/run/user/${UID}/bus`,
      PATH: `${path.dirname(NODE)}:/usr/local/bin:/usr/bin:/bin`,
      ...extra,
    };
  }

  run(argv: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<ProcessResult> {
    return this.container.exec(argv, { user: USER, env: this.env(env), timeoutMs });
  }

  /** The built CLI under the project's Node, as the user would run `npx openclaw-backup …`. */
  cli(args: string[], timeoutMs = 120_000): Promise<ProcessResult> {
    return this.run([NODE, CONTAINER_CLI, ...args], timeoutMs);
  }

  /** kill(1) as the user (the shell's builtin: the minimal root has no procps). */
  kill(pid: number, signal: 'KILL' | 'TERM'): Promise<ProcessResult> {
    return this.run(['sh', '-c', 'kill -s "$1" "$2"', 'sh', signal, String(pid)]);
  }

  systemctl(args: string[], timeoutMs = 120_000): Promise<ProcessResult> {
    return this.run(['systemctl', '--user', ...args], timeoutMs);
  }

  /** `systemctl --user show` properties as strings. */
  async show(unit: string, properties: string[]): Promise<Record<string, string>> {
    const result = await this.systemctl(['show', unit, ...properties.map((p) => `--property=${p}`)]);
    if (result.code !== 0) throw new Error(`systemctl --user show ${unit} failed: ${result.stderr.trim()}`);
    return Object.fromEntries(
      result.stdout
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  }

  /** `journalctl --user -u UNIT…` of this boot, in the journal's order. */
  async journal(units: string[], options: { allBoots?: boolean } = {}): Promise<JournalEntry[]> {
    const args = [
      'journalctl',
      '--user',
      ...units.flatMap((u) => ['-u', u]),
      ...(options.allBoots ? [] : ['-b']),
      '-o',
      'json',
      '--no-pager',
    ];
    const result = await this.run(args);
    if (result.code !== 0 && result.stdout.trim() === '') {
      if (/No entries|No journal files/i.test(result.stderr)) return [];
      throw new Error(`${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const raw = JSON.parse(line) as Record<string, unknown>;
        return {
          message: messageOf(raw.MESSAGE),
          pid: raw._PID === undefined ? undefined : Number(raw._PID),
          transport: String(raw._TRANSPORT),
          realtime: Number(raw.__REALTIME_TIMESTAMP),
          monotonic: Number(raw.__MONOTONIC_TIMESTAMP),
          bootId: String(raw._BOOT_ID),
          seqnum: seqnumOf(raw.__CURSOR),
          raw,
        };
      })
      .sort((a, b) => a.seqnum - b.seqnum || a.realtime - b.realtime);
  }

  /** `systemctl --user status` and the unit's last journal lines, for a failure message. */
  async describeUnit(unit: string): Promise<string> {
    const status = await this.systemctl(['status', '--no-pager', '--lines=0', unit]);
    const journal = await this.run(['journalctl', '--user', '-u', unit, '-b', '-n', '15', '--no-pager', '-o', 'cat']);
    return `${status.stdout.trim()}\n--- journalctl --user -u ${unit} (last 15) ---\n${journal.stdout.trim()}`;
  }

  /** A file in the user's home as the host sees it (through the overlay), for reading. */
  hostPath(inside: string): string {
    return this.container.hostPath(inside);
  }

  /** Writes a file the user owns (mode 0600 unless given) into an existing dir, by rename as OpenClaw does. */
  writeFile(inside: string, content: string | Buffer, mode = 0o600): void {
    const file = this.hostPath(inside);
    const temp = `${file}.${process.pid}.harness-tmp`;
    fs.writeFileSync(temp, content, { mode });
    fs.chownSync(temp, UID, UID);
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
  }
}

async function mustSucceed(result: Promise<ProcessResult>, what: string): Promise<ProcessResult> {
  const done = await result;
  if (done.code !== 0) throw new Error(`${what} failed (exit ${done.code}): ${(done.stderr || done.stdout).trim()}`);
  return done;
}

export { mustSucceed };
