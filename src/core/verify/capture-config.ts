import { createHash } from 'node:crypto';
import path from 'node:path';
import { EXTERNAL_PREFIX } from '../archive/manifest.js';
import { isSqliteHeader } from '../archive/sqlite-snapshot.js';
import type { EntryHandler } from './scan-archive.js';

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
 * Keeps the text of the archive's config files while verify streams past them, so the roots can be checked against
 * the config that names them without a second read. Candidates: any `openclaw.json`, and a file that is an external
 * root on its own (a config kept outside the state dir: `openclaw-backup/external/<n>/<file>` with no directory
 * entry `external/<n>` before it). Every other entry is left to the scan's own hashing.
 */
export class ConfigCapture {
  readonly texts = new Map<string, string>();
  private readonly dirs = new Set<string>();

  private wanted(name: string): boolean {
    return isConfigCandidate(name, this.dirs);
  }

  readonly handle: EntryHandler = async (entry, stream) => {
    if (entry.kind === 'directory') this.dirs.add(entry.name);
    if (entry.kind !== 'file' || entry.size > MAX_CONFIG_BYTES || this.texts.size >= MAX_CAPTURED || !this.wanted(entry.name))
      return undefined;
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const item of stream) {
      const chunk = item as Buffer;
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    }
    const data = Buffer.concat(chunks);
    const database = isSqliteHeader(data);
    if (!database && size <= MAX_CONFIG_BYTES) this.texts.set(entry.name, data.toString('utf8'));
    return {
      sha256: hash.digest('hex'),
      size,
      database,
      ...(database ? { integrityProblem: 'a SQLite database where a config file was expected' } : {}),
    };
  };
}
