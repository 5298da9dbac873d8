import { createHash } from 'node:crypto';
import { isProcessAlive } from '../fs/atomic.js';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Compression } from '../../config/schema.js';
import { HEADER_PATH, MANIFEST_PATH } from '../archive/manifest.js';
import { describeStreamError } from './open-archive.js';
import { labelOf, toSource, type ArchiveInput } from './source.js';
import type { EntrySelect } from './entry-stream.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { BackupError, IntegrityError, throwIfAborted } from '../../errors.js';
import type { ProgressPhase, ProgressReporter } from '../progress.js';
import { detectLayout, stagingRel, type ArchiveLayout } from './archive-layout.js';
import { EntryGuard, normalizeEntryName } from './entry-guard.js';
import { hashEntry, SizeExceededError, type HashedEntry } from './hash-entry.js';
import { matchManifestEntry, type NotedEntry } from './match-manifest.js';
import { parseManifestStream } from './manifest-stream.js';
import { EntryArena } from './entry-arena.js';
import { ScannedRecord } from './scanned-record.js';
import type { ScannedEntry } from './scanned-entry.js';
import { readSparseHeader, SparseDecoder, tapSparse } from '../archive/sparse-map.js';

export interface VerifyProblem {
  path: string;
  reason: string;
}

export type { ScannedEntry };

export type EntryHandler = (entry: ScannedEntry, stream: AsyncIterable<unknown>) => Promise<HashedEntry | undefined>;

export interface ScanOptions {
  signal?: AbortSignal | undefined;
  /** Identity or passphrase for an age-encrypted archive. */
  decrypt?: DecryptionKey | undefined;
  /** Run PRAGMA integrity_check on every database (copies go to a private temp dir). */
  checkDatabases?: boolean;
  /** With checkDatabases: digest each sound database's content (restore's dry run compares it with the live one). */
  digestDatabases?: boolean;
  /** Restore's extraction: consumes the entry (returns its hash for files) or returns undefined to skip it. */
  onEntry?: EntryHandler;
  /** Reports the archive bytes read against the file's size (and entries against `items`, when known). */
  progress?: { reporter: ProgressReporter; phase: ProgressPhase; items?: number | undefined } | undefined;
  /** Stop reading at the first problem (restore: nothing more is worth writing). */
  stopOnProblem?: boolean;
  /** Only these entries (by archive name) are read and matched; a store may skip the rest unread. */
  select?: EntrySelect | undefined;
  /** Where a store that must materialize the backup may do so (see OpenEntriesOptions.scratch). */
  scratch?: string | undefined;
}

export interface ScanResult {
  compression: Compression;
  encrypted: boolean;
  layout: ArchiveLayout | undefined;
  /** Every accepted entry by archive name, in archive order. */
  entries: Map<string, ScannedEntry>;
  /** Parsed JSON documents: our header and manifest (without its entries, which are matched as they stream), or OpenClaw's native manifest. */
  header: unknown;
  /** Our format: SHA-256 of the header.json entry's bytes, checked against the manifest's headerSha256. */
  headerSha256?: string;
  manifest: unknown;
  /** Our format: how many entries the manifest listed; undefined when it had no entries array. */
  manifestEntries: number | undefined;
  /** Our format: entries whose type, size, hash or target differ from the manifest, or that are missing, in manifest order. */
  manifestProblems: VerifyProblem[];
  problems: VerifyProblem[];
  /** Entries the store holds differently from how they were hashed (changed or vanished while backed up). */
  noted: NotedEntry[];
  /** Sum of the entry sizes the tar headers declared (excluding our header and manifest documents). */
  contentBytes: number;
  databases: number;
}

const DOC_LIMIT = 256 << 20;

async function readJson(stream: AsyncIterable<unknown>, name: string, onBytes?: (bytes: Buffer) => void): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const item of stream) {
    size += (item as Buffer).length;
    if (size > DOC_LIMIT) throw new IntegrityError(`${name}: larger than ${DOC_LIMIT} bytes where a JSON document was expected`);
    chunks.push(item as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  onBytes?.(bytes);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new IntegrityError(`${name}: not valid JSON`);
  }
}

/** Our header and manifest, or OpenClaw's native manifest: read as documents, not as entries to restore. */
function isDocument(layout: ArchiveLayout, name: string): boolean {
  if (layout.format === 'openclaw-backup') return name === HEADER_PATH || name === MANIFEST_PATH;
  return layout.format === 'openclaw-native' && name === `${layout.prefix}/manifest.json`;
}

/**
 * Reads an archive once, streaming: decompression, tar structure, the entry guard (unsafe names, links, devices,
 * setuid, duplicates), sizes and SHA-256 of every file, optionally database integrity and extraction.
 * Problems are collected, never thrown; only an abort or an I/O error from `onEntry` escapes.
 */
export async function scanArchive(input: ArchiveInput, options: ScanOptions = {}): Promise<ScanResult> {
  const archive = labelOf(input);
  // Made before the archive is opened: the decompressor must get its error listener without an await in between.
  const scratch = options.checkDatabases ? await makeScratchDir() : undefined;
  let entriesDone = 0;
  const progress = options.progress;
  const onRead = progress && ((bytes: number) => progress.reporter.update({ items: entriesDone, bytes }));
  const opened = await toSource(input)
    .openEntries({ decrypt: options.decrypt, onRead, signal: options.signal, select: options.select, scratch: options.scratch })
    .catch(async (error: unknown) => {
      if (scratch) await fs.rm(scratch, { recursive: true, force: true });
      throw error;
    });
  progress?.reporter.start(progress.phase, { bytes: opened.size, items: progress.items });
  const result: ScanResult = {
    compression: opened.compression,
    encrypted: opened.encrypted ?? false,
    layout: undefined,
    entries: new Map(),
    header: undefined,
    manifest: undefined,
    manifestEntries: undefined,
    manifestProblems: [],
    problems: [],
    noted: [],
    contentBytes: 0,
    databases: 0,
  };
  const { problems } = result;
  const guard = new EntryGuard((name) => result.entries.get(name)?.kind);
  // Records are made only once the layout is known (a rel is defined for them).
  const arena = new EntryArena((name) => stagingRel(result.layout!, name) ?? '');
  let afterManifest = false;
  let complete = false;
  try {
    for await (const entry of opened) {
      throwIfAborted(options.signal);
      if (options.stopOnProblem && problems.length > 0) break;
      const h = entry.header;
      const malformed = opened.malformed?.();
      if (malformed) {
        problems.push({ path: archive, reason: malformed });
        entry.resume();
        break;
      }
      const name = normalizeEntryName(h.name);
      if (name === undefined) {
        entry.resume();
        continue;
      }
      if (opened.sawGlobalHeader()) {
        problems.push({
          path: name,
          reason: 'follows a PAX global header (type g), which GNU tar would apply to this name and verify would not; refused',
        });
        entry.resume();
        break;
      }
      const checked = guard.check(name, h);
      if ('reason' in checked) {
        problems.push({ path: name, reason: checked.reason });
        entry.resume();
        continue;
      }
      if (!result.layout) {
        result.layout = detectLayout(name);
        if (!result.layout) {
          problems.push({
            path: name,
            reason:
              'not an OpenClaw backup: the first entry is neither openclaw-backup/header.json, an OpenClaw backup root, nor a .openclaw folder',
          });
          entry.resume();
          break;
        }
      }
      const layout = result.layout;
      if (afterManifest) problems.push({ path: name, reason: 'entry after the manifest' });
      if (isDocument(layout, name) && checked.kind === 'file') {
        if (name === MANIFEST_PATH) {
          const parsed = await parseManifestStream(entry, name, (expected) =>
            matchManifestEntry(result.entries, expected, result.manifestProblems, {
              select: options.select,
              notes: opened.notes,
              noted: result.noted,
            }),
          );
          result.manifest = parsed.manifest;
          result.manifestEntries = parsed.entries;
          afterManifest = true;
        } else if (name === HEADER_PATH)
          result.header = await readJson(entry, name, (bytes) => (result.headerSha256 = createHash('sha256').update(bytes).digest('hex')));
        else result.manifest = await readJson(entry, name);
        continue;
      }
      const rel = stagingRel(layout, name);
      if (rel === undefined) {
        if (name !== layout.prefix && !layout.prefix.startsWith(`${name}/`))
          problems.push({ path: name, reason: `outside the archive's root folder ${layout.prefix}/` });
        entry.resume();
        continue;
      }
      const sparse = readSparseHeader(h.pax as Record<string, string> | undefined, name);
      if (sparse && ('reason' in sparse || checked.kind !== 'file')) {
        problems.push({ path: name, reason: 'reason' in sparse ? sparse.reason : 'sparse records on an entry that is not a regular file' });
        entry.resume();
        continue;
      }
      const scanned = new ScannedRecord(arena, {
        name,
        kind: checked.kind,
        mode: (h.mode ?? 0) & 0o7777,
        mtimeMs: h.mtime?.getTime(),
        size: checked.kind === 'file' ? (h.size ?? 0) : 0,
      });
      if (sparse) scanned.sparse = sparse;
      if (h.holes && checked.kind === 'file') scanned.holes = true;
      if (checked.kind === 'symlink') scanned.target = h.linkname ?? '';
      if (checked.linkTarget) scanned.linkRel = stagingRel(layout, checked.linkTarget) ?? '';
      result.contentBytes += scanned.size;
      const handled = await options.onEntry?.(scanned, entry);
      // Entries a handler took (restore writes sparse ones itself) are not read again here.
      const decoder = scanned.sparse && !handled ? new SparseDecoder(scanned.sparse.realSize) : undefined;
      const hashed =
        handled ??
        (checked.kind === 'file'
          ? await hashEntry(decoder ? tapSparse(entry, decoder) : entry, {
              scratchDb: scratch && path.join(scratch, `db-${result.entries.size}`),
              expectedBytes: scanned.size,
              digestDatabase: options.digestDatabases,
            })
          : (entry.resume(), undefined));
      if (decoder?.problem) problems.push({ path: name, reason: decoder.problem });
      if (hashed) {
        scanned.sha256 = hashed.sha256;
        scanned.database = hashed.database;
        if (hashed.contentDigest) scanned.contentDigest = hashed.contentDigest;
        if (hashed.database) result.databases += 1;
        if (hashed.integrityProblem) problems.push({ path: name, reason: hashed.integrityProblem });
      }
      result.entries.set(name, scanned);
      guard.handOver(name);
      entriesDone = result.entries.size;
    }
    complete = !(options.stopOnProblem && problems.length > 0);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof IntegrityError) problems.push({ path: archive, reason: error.message });
    else if (error instanceof BackupError)
      throw error; // from onEntry: e.g. not enough space to stage
    else if (error instanceof SizeExceededError) problems.push({ path: archive, reason: error.message });
    else if ((error as NodeJS.ErrnoException).syscall) throw error;
    else problems.push({ path: archive, reason: describeStreamError(error) });
  } finally {
    progress?.reporter.finish();
    await opened.close();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  }
  // A stream cut exactly between two gzip members or zstd frames decompresses cleanly: only the missing end-of-archive
  // blocks tell. (Our own format would also miss its manifest; a hand-made tar has nothing else to show it.)
  const malformed = opened.malformed?.();
  if (malformed && !problems.some((p) => p.reason === malformed)) problems.push({ path: archive, reason: malformed });
  if (complete && result.layout && problems.length === 0 && !opened.complete())
    problems.push({ path: archive, reason: 'archive is truncated: the tar stream lacks its end-of-archive blocks' });
  if (!result.layout && problems.length === 0) problems.push({ path: archive, reason: 'archive holds no entries' });
  return result;
}

const SCRATCH_PREFIX = 'openclaw-backup-verify-';

/** A private scratch dir for database checks; ones left by killed verifiers (dead pid in the name) are removed. */
async function makeScratchDir(): Promise<string> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const pid = Number(/^openclaw-backup-verify-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isProcessAlive(pid))
      await fs.rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => {});
  }
  return fs.mkdtemp(path.join(tmp, `${SCRATCH_PREFIX}${process.pid}-`));
}
