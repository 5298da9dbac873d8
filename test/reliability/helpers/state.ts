import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { unpackFixture } from '../../helpers/fixture.js';
import { snapshotTree as snapshotWithModes } from '../../helpers/tree.js';
import type { Rng } from './rng.js';

const MB = 1024 * 1024;

/** Unpacks the real OpenClaw 2026.9.6 state as <home>/.openclaw. */
export function unpackRealState(home: string): string {
  return unpackFixture(home);
}

export interface BigStateOptions {
  /** Approximate total size of what is added to the real fixture. */
  totalMb: number;
  /** The `backup` block written to openclaw.json's plugin entry. */
  backup?: Record<string, unknown>;
}

export interface BigState {
  home: string;
  stateDir: string;
  bytes: number;
  files: number;
}

/** Writes a `backup` block into the plugin entry of <stateDir>/openclaw.json, keeping the rest of the config. */
export function setBackupBlock(stateDir: string, block: Record<string, unknown>): void {
  const file = path.join(stateDir, 'openclaw.json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config is edited freely, like JSON
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
  config.plugins ??= {};
  config.plugins.entries ??= {};
  config.plugins.entries['openclaw-backup'] = { ...config.plugins.entries['openclaw-backup'], config: block };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

function proseLine(rng: Rng, n: number): string {
  const words = ['agent', 'memory', 'session', 'gateway', 'tool', 'reply', 'the', 'a', 'note', 'user', 'model', 'token', 'über', '日本'];
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(rng.pick(words));
  return `${out.join(' ')}\n`;
}

/**
 * The real OpenClaw fixture plus a deterministic bulk: a large WAL database, big incompressible and compressible
 * files, and many small workspace files. Same seed, same bytes.
 */
export function makeBigState(home: string, rng: Rng, options: BigStateOptions): BigState {
  const stateDir = unpackRealState(home);
  if (options.backup) setBackupBlock(stateDir, options.backup);
  const budget = options.totalMb * MB;
  let bytes = 0;
  let files = 0;
  const write = (rel: string, data: Buffer | string) => {
    const abs = path.join(stateDir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, data);
    bytes += Buffer.byteLength(data);
    files += 1;
  };

  // A database of ~20% of the budget, in WAL mode like OpenClaw's, part of it still in the -wal.
  const db = new DatabaseSync(path.join(stateDir, 'agents/main/agent/bulk-history.sqlite'));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body BLOB)');
  const insert = db.prepare('INSERT INTO events (body) VALUES (?)');
  const dbBytes = Math.floor(budget * 0.2);
  db.exec('BEGIN');
  for (let done = 0; done < dbBytes; done += 64 * 1024) insert.run(rng.bytes(64 * 1024));
  db.exec('COMMIT');
  bytes += dbBytes;
  db.close();

  // Incompressible and compressible big files (~35% each), then small workspace files (~10%).
  for (let i = 0; bytes < budget * 0.55; i += 1) write(`workspace/data/blob-${i}.bin`, rng.bytes(8 * MB));
  for (let i = 0; bytes < budget * 0.9; i += 1) {
    const lines: string[] = [];
    for (let n = 0; n < 40_000; n += 1) lines.push(proseLine(rng, 12));
    write(`logs/gateway-${i}.log`, lines.join(''));
  }
  for (let i = 0; bytes < budget; i += 1) write(`workspace/notes/${i % 20}/note-${i}.md`, proseLine(rng, rng.int(50, 2000)));
  return { home, stateDir, bytes, files };
}

export type TreeSnapshot = Map<string, string>;

/** Every entry under root by relative path, content only ('dir', 'file <sha256>', 'link <target>'): modes are left
 * out because restore sets them on purpose. */
export function snapshotTree(root: string, skip: (rel: string) => boolean = () => false): TreeSnapshot {
  return new Map(Object.entries(snapshotWithModes(root, skip)).map(([rel, v]) => [rel, v.replace(/^(file|dir) [0-7]+/, '$1')]));
}

/** Human-readable differences between two snapshots (empty when identical). */
export function diffTrees(expected: TreeSnapshot, actual: TreeSnapshot, limit = 10): string[] {
  const diffs: string[] = [];
  for (const [rel, want] of expected) {
    const got = actual.get(rel);
    if (got !== want) diffs.push(`${rel}: expected ${want}, got ${got ?? 'nothing'}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) diffs.push(`${rel}: unexpected`);
  return diffs.slice(0, limit);
}
