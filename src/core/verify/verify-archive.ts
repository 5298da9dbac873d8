import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import type { Compression } from '../../config/schema.js';
import { checkIntegrity, isSqliteHeader } from '../archive/sqlite-snapshot.js';
import { FORMAT_NAME, FORMAT_VERSION, HEADER_PATH, MANIFEST_PATH, ARCHIVE_ROOT, type ArchiveHeader, type Manifest } from '../archive/manifest.js';
import { describeStreamError, openArchive } from '../archive/open-archive.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { IntegrityError, throwIfAborted } from '../errors.js';

export interface VerifyProblem {
  path: string;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  archive: string;
  compression: Compression;
  encrypted: boolean;
  header: ArchiveHeader | undefined;
  manifest: Omit<Manifest, 'entries'> | undefined;
  problems: VerifyProblem[];
  checked: { entries: number; files: number; bytes: number; databases: number };
}

export interface VerifyOptions {
  signal?: AbortSignal | undefined;
  /** Throw IntegrityError on the first problem instead of returning a report. */
  throwOnProblem?: boolean;
  /** Identity or passphrase for an age-encrypted archive. */
  decrypt?: DecryptionKey | undefined;
}

interface Seen {
  type: string;
  size: number;
  sha256?: string;
  linkname?: string;
  database?: boolean;
}

/**
 * Hashes one file entry. A SQLite database (recognised by its first bytes) is also written to a scratch file and
 * must pass integrity_check.
 */
async function hashEntry(stream: AsyncIterable<unknown>, scratch: string, scratchName: string): Promise<{ sha256: string; size: number; database: boolean; integrityProblem?: string }> {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let out: fs.FileHandle | undefined;
  let decided = false;
  const file = path.join(scratch, scratchName);
  try {
    for await (const item of stream) {
      const chunk = item as Buffer;
      hash.update(chunk);
      size += chunk.length;
      if (!decided) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 16) continue;
        decided = true;
        if (isSqliteHeader(head)) {
          out = await fs.open(file, 'w', 0o600);
          await out.write(head);
        }
        head = head.subarray(0, 16);
        continue;
      }
      if (out) await out.write(chunk);
    }
  } finally {
    await out?.close();
  }
  if (!out) return { sha256: hash.digest('hex'), size, database: false };
  try {
    await checkIntegrity(file, 'snapshot');
    return { sha256: hash.digest('hex'), size, database: true };
  } catch (error) {
    return { sha256: hash.digest('hex'), size, database: true, integrityProblem: (error as Error).message.replace(/^database snapshot /, 'database ') };
  } finally {
    await fs.rm(file, { force: true });
  }
}

async function collect(stream: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const item of stream) {
    const chunk = item as Buffer;
    size += chunk.length;
    if (size > limit) throw new IntegrityError(`entry larger than ${limit} bytes where a small JSON document was expected`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function safeName(name: string): boolean {
  return !name.startsWith('/') && !name.split('/').includes('..') && (name === ARCHIVE_ROOT || name.startsWith(`${ARCHIVE_ROOT}/`));
}

/**
 * Proves an archive of our format: the compressed stream and tar structure read to the end, the header and
 * manifest parse, every entry's type, size and SHA-256 match the manifest (nothing extra, nothing missing),
 * and every database snapshot passes PRAGMA integrity_check. Reads the archive once, streaming.
 */
export async function verifyArchive(archive: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const opened = await openArchive(archive, { decrypt: options.decrypt });
  const problems: VerifyProblem[] = [];
  const result: VerifyResult = { ok: false, archive, compression: opened.compression, encrypted: opened.encrypted ?? false, header: undefined, manifest: undefined, problems, checked: { entries: 0, files: 0, bytes: 0, databases: 0 } };
  const seen = new Map<string, Seen>();
  let manifest: Manifest | undefined;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'openclaw-backup-verify-'));
  const extract = tar.extract();
  opened.tar.on('error', (error) => extract.destroy(error));
  opened.tar.pipe(extract);
  try {
    let index = 0;
    for await (const entry of extract) {
      throwIfAborted(options.signal);
      const h = entry.header;
      const name = h.name.replace(/\/$/, '');
      result.checked.entries += 1;
      if (index === 0) {
        if (name !== HEADER_PATH) {
          problems.push({ path: name, reason: `not an ${FORMAT_NAME} archive: first entry is not ${HEADER_PATH}` });
          entry.resume();
          break;
        }
        result.header = JSON.parse((await collect(entry, 1 << 20)).toString('utf8')) as ArchiveHeader;
        if (result.header.format !== FORMAT_NAME) problems.push({ path: name, reason: 'header does not name the openclaw-backup format' });
        if (result.header.formatVersion > FORMAT_VERSION) problems.push({ path: name, reason: `format version ${result.header.formatVersion} is newer than this tool understands (${FORMAT_VERSION})` });
        index += 1;
        continue;
      }
      index += 1;
      if (manifest) {
        problems.push({ path: name, reason: 'entry after the manifest' });
        entry.resume();
        continue;
      }
      if (name === MANIFEST_PATH) {
        manifest = JSON.parse((await collect(entry, 256 << 20)).toString('utf8')) as Manifest;
        continue;
      }
      if (!safeName(name)) problems.push({ path: name, reason: 'unsafe path' });
      if (seen.has(name)) problems.push({ path: name, reason: 'duplicate entry' });
      if (h.type === 'file') {
        const read = await hashEntry(entry, scratch, `db-${result.checked.files}`);
        seen.set(name, { type: 'file', size: read.size, sha256: read.sha256, database: read.database });
        result.checked.files += 1;
        result.checked.bytes += read.size;
        if (read.integrityProblem) problems.push({ path: name, reason: read.integrityProblem });
      } else {
        entry.resume();
        seen.set(name, { type: h.type ?? 'file', size: 0, ...(h.linkname ? { linkname: h.linkname } : {}) });
      }
    }
  } catch (error) {
    if (error instanceof IntegrityError) problems.push({ path: archive, reason: error.message });
    else if (options.signal?.aborted) throw error;
    else problems.push({ path: archive, reason: describeStreamError(error) });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  return finishReport(result, manifest, seen, options);
}

function finishReport(result: VerifyResult, manifest: Manifest | undefined, seen: Map<string, Seen>, options: VerifyOptions): VerifyResult {
  const { problems } = result;
  if (result.header && !manifest && problems.length === 0) problems.push({ path: MANIFEST_PATH, reason: 'manifest missing: the archive is truncated or incomplete' });
  if (manifest) {
    const { entries, ...rest } = manifest;
    result.manifest = rest;
    const listed = new Set<string>();
    for (const expected of entries) {
      listed.add(expected.path);
      const got = seen.get(expected.path);
      if (!got) {
        problems.push({ path: expected.path, reason: 'in the manifest but missing from the archive' });
        continue;
      }
      if (got.type !== expected.type) problems.push({ path: expected.path, reason: `type ${got.type}, manifest says ${expected.type}` });
      else if (expected.type === 'file') {
        if (got.size !== expected.size) problems.push({ path: expected.path, reason: `size ${got.size}, manifest says ${expected.size}` });
        else if (got.sha256 !== expected.sha256) problems.push({ path: expected.path, reason: 'SHA-256 does not match the manifest: content was changed' });
        if (expected.sqlite) result.checked.databases += 1;
      } else if (expected.type === 'symlink' && got.linkname !== expected.target) {
        problems.push({ path: expected.path, reason: 'symlink target does not match the manifest' });
      }
    }
    for (const name of seen.keys()) if (!listed.has(name)) problems.push({ path: name, reason: 'in the archive but not in the manifest' });
  }
  result.ok = problems.length === 0 && Boolean(manifest);
  if (!result.ok && options.throwOnProblem) {
    const first = problems[0];
    throw new IntegrityError(first ? `${first.path}: ${first.reason}` : 'archive did not verify');
  }
  return result;
}
