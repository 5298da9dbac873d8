import type { EntrySelect } from '../reader/entry-stream.js';
import { labelOf, type ArchiveInput } from '../reader/source.js';
import type { DecryptionKey } from '../crypto/keys.js';
import type { ProgressReporter } from '../progress.js';
import { ConfigCapture } from '../reader/capture-config.js';
import { scanArchive, type EntryHandler, type ScanResult } from '../reader/scan-archive.js';
import { integrityErrorFor, summarize, type VerifyResult } from '../reader/verify-archive.js';
import { StagingWriter } from './extract.js';

export interface ReadArchiveOptions {
  archive: ArchiveInput;
  /** A real restore's staging dir: every entry is written there as it streams. Absent for a dry run (no writes). */
  staging?: string | undefined;
  signal?: AbortSignal | undefined;
  decrypt?: DecryptionKey | undefined;
  progress?: ProgressReporter | undefined;
  /** Digest each database's content (schema and rows): what the dry run and the preview compare with the live one. */
  digestDatabases?: boolean | undefined;
  /**
   * Only these files are needed (sessions reads the agent stores): only they are staged, and a repository restores
   * only them. The others an archive file streams past are still hashed against the manifest, as verify does.
   */
  select?: EntrySelect | undefined;
}

/** What the one read proved and kept: everything restore plans and reports from. */
export interface ArchiveRead {
  scan: ScanResult;
  /** Always ok: a read that finds a problem throws. */
  verify: VerifyResult;
  /** The archive's config texts by entry name, kept as they streamed past. */
  configs: Map<string, string>;
  /** What was written into the staging dir; undefined for a dry run. */
  staged: StagingWriter | undefined;
}

/**
 * Restore's one read of a backup. Every entry is checked as it streams (entry guard, sizes, SHA-256 against the
 * manifest, the manifest last) and, for a real restore, written into the staging dir (restic restores a repository
 * snapshot there too, so nothing crosses file systems); databases must pass PRAGMA integrity_check. A dry run is the
 * same read without the writes. A problem anywhere throws before anything is planned, and the caller removes the
 * staging dir: a bad archive never reaches the live state.
 */
export async function readArchive(options: ReadArchiveOptions): Promise<ArchiveRead> {
  const configs = new ConfigCapture();
  const staged = options.staging ? new StagingWriter(options.staging, configs) : undefined;
  const select = options.select;
  const onEntry: EntryHandler =
    staged && select
      ? (entry, stream) => (entry.kind === 'file' && select(entry.name) ? staged.handle : configs.handle)(entry, stream)
      : (staged?.handle ?? configs.handle);
  const scan = await scanArchive(options.archive, {
    signal: options.signal,
    decrypt: options.decrypt,
    select,
    onEntry,
    // A dry run checks databases on private copies (as verify does); staged ones are checked where they were written.
    checkDatabases: !staged,
    digestDatabases: !staged && options.digestDatabases,
    // Once an entry is bad nothing more is worth writing; a dry run reads on and reports every problem, as verify does.
    stopOnProblem: Boolean(staged),
    scratch: options.staging,
    progress: options.progress && { reporter: options.progress, phase: staged ? 'restore' : 'verify' },
  });
  if (staged && scan.problems.length === 0) {
    const checked = await staged.checkDatabases({ digest: options.digestDatabases ?? false });
    scan.problems.push(...checked.problems);
    for (const [name, digest] of checked.digests) {
      const entry = scan.entries.get(name);
      if (entry) entry.contentDigest = digest;
    }
  }
  const verify = summarize(labelOf(options.archive), scan, configs.texts);
  if (!verify.ok) throw integrityErrorFor(verify);
  staged?.finish();
  return { scan, verify, configs: configs.texts, staged };
}
