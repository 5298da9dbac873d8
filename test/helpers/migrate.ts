import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { listFiles, makeTempDir, unpackFixture, writeTree } from './fixture.js';
import { removeTree } from './temp.js';

/** A loopback port nothing listens on now, so gateway detection by port cannot see a stranger's gateway. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Sets gateway.port in a JSON config file. */
export function setGatewayPort(configPath: string, port: number): void {
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as { gateway?: Record<string, unknown> };
  config.gateway = { ...(config.gateway ?? {}), port };
  fs.writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

const homes: string[] = [];

/** A temp HOME that removeTempHomes() deletes (or, at the latest, the end of the test file). */
export function tempHome(prefix: string): string {
  const home = makeTempDir(prefix);
  homes.push(home);
  return home;
}

/** Deletes every temp HOME made by this file's helpers early (call from afterEach when a file makes many). */
export function removeTempHomes(): void {
  while (homes.length) removeTree(homes.pop() as string);
}

/** The real 2026.9.6 fixture under a temp HOME, its gateway port moved to a free one. */
export async function fixtureHome(): Promise<{ home: string; stateDir: string; env: NodeJS.ProcessEnv; agentDb: string }> {
  const home = tempHome('ocb-migrate-');
  const stateDir = unpackFixture(home);
  setGatewayPort(path.join(stateDir, 'openclaw.json'), await freePort());
  return { home, stateDir, env: { HOME: home }, agentDb: path.join(stateDir, 'agents', 'main', 'agent', 'openclaw-agent.sqlite') };
}

/** A state in the older layout: agents/<id>/sessions/sessions.json + <sessionId>.jsonl transcripts. */
export async function legacyHome(): Promise<{ home: string; stateDir: string; env: NodeJS.ProcessEnv }> {
  const home = tempHome('ocb-legacy-');
  const stateDir = path.join(home, '.openclaw');
  const line = (obj: unknown) => `${JSON.stringify(obj)}\n`;
  writeTree(stateDir, {
    'openclaw.json': JSON.stringify({ agents: { list: [{ id: 'main' }, { id: 'ops' }] }, gateway: { port: await freePort() } }),
    'agents/main/sessions/sessions.json': JSON.stringify({
      'agent:main:main': { sessionId: 'sess-1', updatedAt: 1700000000000, model: 'fake' },
      'agent:main:notes': {
        sessionId: 'sess-2',
        updatedAt: 1700000001000,
        sessionFile: '/old/home/.openclaw/agents/main/sessions/sess-2-topic-1.jsonl',
      },
    }),
    'agents/main/sessions/sess-1.jsonl':
      line({ type: 'session', version: 3, id: 'sess-1', timestamp: '2023-11-14T22:13:20.000Z' }) +
      line({ type: 'message', id: 'm1', message: { role: 'user', content: 'hello', n: 1.5 } }) +
      // A number JSON.stringify would print differently: kept as the exact line.
      '{"type":"message","id":"m2","message":{"role":"assistant","content":"hi","n":1.50}}\n',
    'agents/main/sessions/sess-2-topic-1.jsonl': line({ type: 'session', version: 3, id: 'sess-2' }),
    'agents/ops/sessions/': null,
  });
  return { home, stateDir, env: { HOME: home } };
}

/** Holds the fcntl lock a running gateway holds on its lock coordinator; release() lets go. */
export function holdGatewayLock(stateDir: string): { release: () => void } {
  const dir = path.join(stateDir, 'tmp', `openclaw-${process.getuid?.() ?? 0}`);
  fs.mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(path.join(dir, 'gateway.test0001.lock.sqlite'));
  db.exec('CREATE TABLE IF NOT EXISTS lease (id INTEGER)');
  db.exec('BEGIN EXCLUSIVE');
  db.exec('INSERT INTO lease VALUES (1)');
  return {
    release: () => {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/**
 * Content hash and mtime of every file under root: equal before and after means nothing was written. SQLite's -shm
 * (the WAL index in shared memory, which any reader may touch) is left out, and so is tmp/: reading a lock file
 * would drop the fcntl locks this process holds on it (POSIX releases them when any descriptor closes).
 */
export function treeState(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of listFiles(root).filter((f) => !f.endsWith('-shm') && !f.startsWith('tmp/'))) {
    const abs = path.join(root, rel);
    out[rel] = `${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}@${fs.statSync(abs).mtimeMs}`;
  }
  return out;
}
