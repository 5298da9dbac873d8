import { createHash } from 'node:crypto';
import path from 'node:path';
import { EXTERNAL_PREFIX } from '../archive/manifest.js';
import { isSqliteHeader } from '../archive/sqlite-snapshot.js';
import type { EntryHandler, ScannedEntry } from './scan-archive.js';

/** A config larger than this is not kept (and then cannot be checked); OpenClaw's are a few KiB. */
export const MAX_CONFIG_BYTES = 4 << 20;
export const MAX_CAPTURED = 8;

/**
 * Whether an entry may be a config file: any `openclaw.json`, or a file that is an external root on its own
 * (`openclaw-backup/external/<n>/<file>` with no directory entry `external/<n>` before it, in `dirs`).
 */
export function isConfigCandidate(name: string, dirs: Set<string>): boolean {
  if (path.posix.basename(name) === 'openclaw.json') return true;
  const parent = path.posix.dirname(name);
  return path.posix.dirname(parent) === EXTERNAL_PREFIX && !dirs.has(parent);
}

/**
 * Keeps the text of the archive's config files while the one pass streams past them (verify's and restore's alike),
 * so the roots can be checked against the config that names them, and a hand-made archive's origin guessed from it,
 * without a second read. Candidates: any `openclaw.json`, and a file that is an external root on its own (a config
 * kept outside the state dir: `openclaw-backup/external/<n>/<file>` with no directory entry `external/<n>` before it).
 */
export class ConfigCapture {
  readonly texts = new Map<string, string>();
  private readonly dirs = new Set<string>();

  /** Whether the entry's text is to be kept; sees every entry, in archive order, for the directories before it. */
  wants(entry: ScannedEntry): boolean {
    if (entry.kind === 'directory') this.dirs.add(entry.name);
    return (
      entry.kind === 'file' && entry.size <= MAX_CONFIG_BYTES && this.texts.size < MAX_CAPTURED && isConfigCandidate(entry.name, this.dirs)
    );
  }

  /** Keeps a wanted entry's bytes as its text, unless they are a database. */
  keep(name: string, data: Buffer): void {
    if (!isSqliteHeader(data) && data.length <= MAX_CONFIG_BYTES) this.texts.set(name, data.toString('utf8'));
  }

  /** Passes a wanted entry's data through (to a writer) and keeps it once it has all passed. */
  tap(name: string, stream: AsyncIterable<unknown>): AsyncIterable<Buffer> {
    const keep = (data: Buffer) => this.keep(name, data);
    return (async function* () {
      const chunks: Buffer[] = [];
      for await (const item of stream) {
        chunks.push(item as Buffer);
        yield item as Buffer;
      }
      keep(Buffer.concat(chunks));
    })();
  }

  /** verify's handler: a wanted entry is hashed and kept here, every other one left to the scan's own hashing. */
  readonly handle: EntryHandler = async (entry, stream) => {
    if (!this.wants(entry)) return undefined;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    for await (const item of stream) {
      hash.update(item as Buffer);
      chunks.push(item as Buffer);
    }
    const data = Buffer.concat(chunks);
    const database = isSqliteHeader(data);
    this.keep(entry.name, data);
    return {
      sha256: hash.digest('hex'),
      size: data.length,
      database,
      ...(database ? { integrityProblem: 'a SQLite database where a config file was expected' } : {}),
    };
  };
}
