import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BusyError } from '../../errors.js';
import { readHeldLocks } from './proc-locks.js';

export interface GatewayStatus {
  running: boolean;
  /** Why we think so: "holds tmp/openclaw-0/gateway.1543dd58.lock.sqlite (pid 4242)", "port 18789 answers". */
  evidence: string[];
  pid?: number;
}

export interface DetectGatewayOptions {
  stateDir: string;
  /** The parsed openclaw.json (for gateway.port), when there is one. */
  openclaw?: Record<string, unknown> | undefined;
  /** Skip the TCP probe (tests that run a gateway-like lock holder without a port). */
  checkPort?: boolean;
}

async function gatewayLockFiles(stateDir: string): Promise<string[]> {
  const tmp = path.join(stateDir, 'tmp');
  const files: string[] = [];
  let dirs: string[];
  try {
    dirs = (await fs.readdir(tmp)).filter((name) => name.startsWith('openclaw-'));
  } catch {
    return files;
  }
  for (const dir of dirs) {
    const names = await fs.readdir(path.join(tmp, dir)).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith('gateway.') && name.endsWith('.lock.sqlite')) files.push(path.join(tmp, dir, name));
  }
  return files;
}

/** Where /proc/locks is missing: try an exclusive transaction with no wait, and release it at once. */
function probeSqliteLock(file: string): boolean {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    return /locked|busy/i.test((error as Error).message);
  } finally {
    db?.close();
  }
}

function configuredPort(openclaw: Record<string, unknown> | undefined): number | undefined {
  const gateway = openclaw?.gateway as Record<string, unknown> | undefined;
  return typeof gateway?.port === 'number' ? gateway.port : undefined;
}

function portAnswers(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Is an OpenClaw gateway running on this state dir? Detected the way OpenClaw does: a live process holds an fcntl
 * lock on one of its gateway lock coordinators (<stateDir>/tmp/openclaw-<uid>/gateway.*.lock.sqlite), and the
 * configured gateway port answers on loopback.
 */
export async function detectGateway(options: DetectGatewayOptions): Promise<GatewayStatus> {
  const evidence: string[] = [];
  let pid: number | undefined;
  const files = await gatewayLockFiles(options.stateDir);
  if (files.length) {
    const held = await readHeldLocks();
    for (const file of files) {
      const rel = path.relative(options.stateDir, file);
      if (held) {
        const inode = (await fs.stat(file).catch(() => undefined))?.ino;
        const holder = held.find((lock) => lock.inode === inode && lock.pid !== process.pid);
        if (inode !== undefined && holder) {
          pid = holder.pid;
          evidence.push(`pid ${holder.pid} holds the gateway lock ${rel}`);
        }
      } else if (probeSqliteLock(file)) evidence.push(`the gateway lock ${rel} is held`);
    }
  }
  const port = configuredPort(options.openclaw);
  if (options.checkPort !== false && port !== undefined && evidence.length === 0) {
    if (await portAnswers(port)) evidence.push(`gateway port ${port} answers on 127.0.0.1`);
  }
  return { running: evidence.length > 0, evidence, ...(pid ? { pid } : {}) };
}

/** Throws BusyError (exit 4) when the gateway runs on this state. No flag overrides this. */
export async function assertGatewayStopped(options: DetectGatewayOptions & { action: string }): Promise<void> {
  const status = await detectGateway(options);
  if (status.running) {
    throw new BusyError(
      `refusing to ${options.action}: the OpenClaw gateway is running on ${options.stateDir} (${status.evidence.join('; ')}); stop it first (openclaw gateway stop)`,
      { details: { gateway: status } },
    );
  }
}
