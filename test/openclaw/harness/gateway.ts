import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readConfig, type ClawHome } from './openclaw.js';
import { boundSockets, isAlive, isLoopback, processTree, waitFor, type ListeningSocket } from './process.js';

export interface RunningGateway {
  pid: number;
  port: number;
  /** Its stdout+stderr. */
  logPath: string;
  startMs: number;
  /** Sockets the gateway's process tree has bound; the tests assert they are all loopback. */
  sockets(): ListeningSocket[];
  /** SIGTERM by PID, wait for a clean exit; returns how long it took. */
  stop(): Promise<number>;
}

const READY = /\[gateway\] ready\b/;
const running = new Set<RunningGateway>();

function readLog(logPath: string): string {
  try {
    return fs.readFileSync(logPath, 'utf8');
  } catch {
    return '';
  }
}

/** `gateway.port` of the home's config: where `openclaw agent` and friends look for the gateway. */
export function configuredPort(h: ClawHome): number {
  const port = (readConfig(h).gateway as { port?: unknown } | undefined)?.port;
  if (typeof port !== 'number') throw new Error(`no gateway.port in ${h.stateDir}/openclaw.json`);
  return port;
}

/**
 * Starts `openclaw gateway run --port <port> --bind loopback` in the background (own process group, output to a
 * file) and waits for its "[gateway] ready" line.
 */
export async function startGateway(h: ClawHome, port = configuredPort(h), timeoutMs = 150_000): Promise<RunningGateway> {
  const logDir = path.join(h.tmp, '..', 'gateway-logs');
  fs.mkdirSync(logDir, { recursive: true });
  const logPath = path.join(logDir, `${h.user}${h.profile ? `-${h.profile}` : ''}-${port}-${Date.now()}.log`);
  const out = fs.openSync(logPath, 'a');
  const profileArgs = h.profile ? ['--profile', h.profile] : [];
  const started = performance.now();
  const child = spawn(h.install.node, [h.install.cli, ...profileArgs, 'gateway', 'run', '--port', String(port), '--bind', 'loopback'], {
    env: h.env,
    cwd: h.home,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error('openclaw gateway run did not start');
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited ${code ?? signal}`));
  child.unref();

  const stop = async (): Promise<number> => {
    const t0 = performance.now();
    const tree = processTree(pid);
    if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    try {
      await waitFor(
        () => (tree.some(isAlive) ? undefined : true),
        60_000,
        () => `gateway ${pid} still running after SIGTERM`,
      );
    } finally {
      for (const p of tree) if (isAlive(p)) process.kill(p, 'SIGKILL');
      running.delete(gateway);
    }
    return performance.now() - t0;
  };
  const gateway: RunningGateway = { pid, port, logPath, startMs: 0, sockets: () => boundSockets(processTree(pid)), stop };
  running.add(gateway);
  try {
    await waitFor(
      () => {
        if (exited) throw new Error(`gateway ${exited} before it was ready:\n${readLog(logPath).slice(-3000)}`);
        return READY.test(readLog(logPath)) ? true : undefined;
      },
      timeoutMs,
      () => `gateway on port ${port} not ready:\n${readLog(logPath).slice(-3000)}`,
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  gateway.startMs = performance.now() - started;
  return gateway;
}

/** Stops every gateway a test left running (afterAll safety net). */
export async function stopAllGateways(): Promise<void> {
  await Promise.all([...running].map((g) => g.stop().catch(() => undefined)));
}

/** Every bound socket of the gateway that is not on loopback (should be none). */
export function nonLoopbackSockets(gateway: RunningGateway): ListeningSocket[] {
  return gateway.sockets().filter((s) => !isLoopback(s.address));
}
