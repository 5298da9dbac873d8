import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { runProcess as runAny } from '../../helpers/process.js';
import { waitFor as waitForAny } from '../../helpers/wait.js';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command to completion without blocking the event loop (the fake model server lives in this process). */
export async function runProcess(command: string, args: string[], options: RunOptions): Promise<ProcessResult> {
  const result = await runAny(command, args, { env: options.env, cwd: options.cwd, timeoutMs: options.timeoutMs ?? 180_000 });
  return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: result.durationMs };
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value, or throws with `describe()` after `timeoutMs`. */
export function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, describe: () => string): Promise<T> {
  return waitForAny(check, { timeoutMs, what: describe, intervalMs: 250 });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `pid` and every live descendant, from /proc/<pid>/stat parent links. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // exited while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree.filter(isAlive);
}

export interface ListeningSocket {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [3, 2, 1, 0].map((i) => w.slice(i * 2, i * 2 + 2)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(`${bytes[i]}${bytes[i + 1]}`.replace(/^0{1,3}/, ''));
  return groups.join(':');
}

/** Sockets bound (TCP LISTEN, or any UDP) by the given processes, from /proc/net and their fd tables. */
export function boundSockets(pids: number[]): ListeningSocket[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(link);
        if (match?.[1]) inodes.add(match[1]);
      } catch {
        // closed while we looked
      }
    }
  }
  const found: ListeningSocket[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let table: string;
    try {
      table = fs.readFileSync(`/proc/net/${proto}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const [hexAddr, hexPort] = (cols[1] ?? '').split(':');
      const state = cols[3];
      const inode = cols[9] ?? '';
      if (!inodes.has(inode)) continue;
      if (proto.startsWith('tcp') && state !== '0A') continue;
      found.push({ proto, address: decodeAddress(hexAddr ?? ''), port: parseInt(hexPort ?? '0', 16) });
    }
  }
  return found;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '0:0:0:0:0:0:0:1' || /^0:0:0:0:0:ffff:7f/i.test(address);
}
