import type { Compression } from '../../config/schema.js';
import type { ArchiveHeader, FileFlag, Manifest } from '../archive/manifest.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { IntegrityError } from '../../errors.js';
import { labelOf, type ArchiveInput } from './source.js';
import type { EntrySelect } from './entry-stream.js';
import type { ProgressReporter } from '../progress.js';
import type { ArchiveFormat } from './archive-layout.js';
import { ConfigCapture } from './capture-config.js';
import { checkHandMadeArchive } from './check-hand-made.js';
import { checkNativeArchive } from './check-native.js';
import { checkOurArchive } from './check-ours.js';
import { namingOf, parseConfigText, rootsNotNamedByConfig } from './check-root-config.js';
import { configRootsThroughLinks } from './check-root-links.js';
import { STATE_PREFIX } from '../archive/manifest.js';
import { scanArchive, type ScanResult, type VerifyProblem } from './scan-archive.js';
import type { NotedEntry } from './match-manifest.js';

export type { VerifyProblem } from './scan-archive.js';

export interface VerifyResult {
  ok: boolean;
  archive: string;
  format: ArchiveFormat | null;
  compression: Compression | null;
  /** age-encrypted (known once it decrypted). */
  encrypted: boolean;
  /** False for native and hand-made archives: there is no SHA-256 to compare against. */
  hashesChecked: boolean;
  header: ArchiveHeader | undefined;
  manifest: Omit<Manifest, 'entries'> | Record<string, unknown> | undefined;
  problems: VerifyProblem[];
  /** Entries the manifest flags as raw copies (a damaged database, a file named like one): reported, not problems. */
  flagged?: FlaggedEntry[];
  /**
   * Entries a repository holds otherwise than they were hashed: changed between our read and restic's (it holds the
   * later version), or gone before restic read them. Reported like GNU tar's "file changed as we read it".
   */
  noted?: NotedEntry[];
  checked: { entries: number; files: number; bytes: number; databases: number };
}

export interface VerifyOptions {
  signal?: AbortSignal | undefined;
  /** Throw IntegrityError on the first problem instead of returning a report. */
  throwOnProblem?: boolean;
  /** Identity or passphrase for an age-encrypted archive. */
  decrypt?: DecryptionKey | undefined;
  progress?: ProgressReporter | undefined;
  /** PRAGMA integrity_check on copies in $TMPDIR (default true). */
  checkDatabases?: boolean;
  /** Also digest each database's content (restore's dry run: an unchanged database is not "changed"). */
  digestDatabases?: boolean;
  /** Check only these entries (and the documents): what a run just wrote into a repository. Default: all. */
  select?: EntrySelect | undefined;
}

export type FlaggedEntry = { path: string } & FileFlag;

/** Roots outside the state dir must be ones the archive's own config names (when the archive holds its config). */
function checkNaming(scan: ScanResult, configs: Map<string, string>): VerifyProblem[] {
  const naming = namingOf(scan.layout?.format, scan.header, scan.manifest, scan.layout?.prefix ?? '');
  if (!naming) return [];
  const text = configs.get(naming.configEntry);
  if (text === undefined) return [];
  const config = parseConfigText(text);
  const problems = naming.roots.length > 0 ? rootsNotNamedByConfig(naming.roots, config, naming.origin, naming.where) : [];
  // Ours only: a hand-made tar of ~/.openclaw stores a symlinked workspace as the link it is, legitimately.
  if (config && scan.layout?.format === 'openclaw-backup')
    problems.push(...configRootsThroughLinks(config, naming.origin, STATE_PREFIX, scan.entries));
  return problems;
}

/** Entries our manifest flags (recorded as it streamed): a damaged database archived raw on purpose. */
function flaggedEntries(scan: ScanResult): FlaggedEntry[] {
  if (scan.layout?.format !== 'openclaw-backup') return [];
  const out: FlaggedEntry[] = [];
  for (const entry of scan.entries.values()) if (entry.flagged) out.push({ path: entry.name, ...entry.flagged });
  return out;
}

/**
 * Turns a scan into the verdict: the scan's own problems first (a flagged database's expected failure aside), then
 * the format's checks, then the roots against the config that names them (`configs`: config texts by entry name).
 */
export function summarize(archive: string, scan: ScanResult, configs: Map<string, string> = new Map()): VerifyResult {
  const format = scan.layout?.format ?? null;
  const flagged = flaggedEntries(scan);
  const expected = new Set(flagged.filter((f) => f.kind === 'corrupt-database').map((f) => f.path));
  const problems = scan.problems.filter((p) => !(expected.has(p.path) && p.reason.startsWith('database ')));
  if (format === 'openclaw-backup' && problems.length === 0) problems.push(...checkOurArchive(scan));
  if (format === 'openclaw-native' && problems.length === 0) problems.push(...checkNativeArchive(scan));
  if (format === 'hand-made' && problems.length === 0) problems.push(...checkHandMadeArchive(scan));
  if (problems.length === 0) problems.push(...checkNaming(scan, configs));
  let files = 0;
  let bytes = 0;
  for (const entry of scan.entries.values()) {
    if (entry.kind !== 'file') continue;
    files += 1;
    bytes += entry.size;
  }
  let manifest: VerifyResult['manifest'];
  if (scan.manifest && typeof scan.manifest === 'object') {
    // Native manifests are parsed whole; ours streams and never holds its entries.
    const { entries: _entries, ...rest } = scan.manifest as Record<string, unknown>;
    manifest = rest as VerifyResult['manifest'];
  }
  return {
    ok: problems.length === 0,
    archive,
    format,
    compression: scan.compression,
    encrypted: scan.encrypted,
    hashesChecked: format === 'openclaw-backup',
    header: format === 'openclaw-backup' ? (scan.header as ArchiveHeader) : undefined,
    manifest,
    problems,
    flagged,
    noted: scan.noted,
    checked: {
      entries: scan.entries.size,
      files,
      bytes,
      databases: scan.databases - [...scan.entries.values()].filter((e) => e.database && expected.has(e.name)).length,
    },
  };
}

/**
 * Proves an archive in one streaming pass. Our format: every entry's type, size and SHA-256 match the manifest,
 * nothing extra or missing. OpenClaw-native and hand-made archives: structure, manifest paths and safety only (they
 * carry no hashes). Every database must pass PRAGMA integrity_check.
 */
export async function verifyArchive(input: ArchiveInput, options: VerifyOptions = {}): Promise<VerifyResult> {
  const archive = labelOf(input);
  let scan: ScanResult | undefined;
  const capture = new ConfigCapture();
  try {
    scan = await scanArchive(input, {
      signal: options.signal,
      checkDatabases: options.checkDatabases ?? true,
      digestDatabases: options.digestDatabases ?? false,
      decrypt: options.decrypt,
      onEntry: capture.handle,
      select: options.select,
      progress: options.progress && { reporter: options.progress, phase: 'verify' },
    });
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    const result: VerifyResult = {
      ok: false,
      archive,
      format: null,
      compression: null,
      encrypted: false,
      hashesChecked: false,
      header: undefined,
      manifest: undefined,
      problems: [
        {
          path: archive,
          reason: error.message.startsWith(archive) ? error.message.slice(archive.length).replace(/^:?\s*/, '') : error.message,
        },
      ],
      flagged: [],
      checked: { entries: 0, files: 0, bytes: 0, databases: 0 },
    };
    return finish(result, options);
  }
  return finish(summarize(archive, scan, capture.texts), options);
}

function finish(result: VerifyResult, options: VerifyOptions): VerifyResult {
  if (!result.ok && options.throwOnProblem) throw integrityErrorFor(result);
  return result;
}

/** The one-line error for a failed verification: the first bad entry and why. */
export function integrityErrorFor(result: VerifyResult, details?: Record<string, unknown>): IntegrityError {
  const first = result.problems[0];
  const more =
    result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problem${result.problems.length > 2 ? 's' : ''})` : '';
  return new IntegrityError(
    first ? `${first.path}: ${first.reason}${more}` : `${result.archive} did not verify`,
    details ? { details } : undefined,
  );
}
