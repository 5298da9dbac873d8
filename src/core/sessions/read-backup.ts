import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import { detectFormat } from '../archive/compression.js';
import type { ArchiveHeader } from '../archive/manifest.js';
import { labelOf, type ArchiveInput } from '../archive/source.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { isProcessAlive } from '../fs/atomic.js';
import { StagingWriter } from '../restore/extract.js';
import { describeOrigin } from '../restore/roots.js';
import type { StoredBackup } from '../store/types.js';
import type { ArchiveFormat } from '../verify/archive-layout.js';
import type { NativeManifest } from '../verify/check-native.js';
import { scanArchive, type ScanResult } from '../verify/scan-archive.js';
import { integrityErrorFor, summarize } from '../verify/verify-archive.js';
import { sessionEntrySelector } from './backup-entries.js';

export interface BackupSessionsView {
  /** What messages call the backup: its path, or "snapshot 1a2b3c4d in /srv/restic". */
  label: string;
  /** What was read of it, for messages: the label, and the agents when only some were read. */
  scope: string;
  format: ArchiveFormat | null;
  /** When the backup was made, when it says. */
  createdAt: string | undefined;
  /** The backup's state dir, as far as it was read (agent databases and legacy session files only). */
  stateDir: string;
  /** Stands in for the backup's openclaw.json: where each agent dir that lived outside the state dir was read to. */
  openclaw: Record<string, unknown>;
}

export interface ReadBackupOptions {
  input: ArchiveInput;
  /** The backup in its store, when the reference named one (says whether it is encrypted, and when it was made). */
  backup?: StoredBackup | undefined;
  decrypt?: DecryptionKey | undefined;
  /** Only these agents' stores are read (undefined: every agent's). */
  agents?: ReadonlySet<string> | undefined;
  signal?: AbortSignal | undefined;
}

const TEMP_PREFIX = 'openclaw-backup-sessions-';

/** A private dir in $TMPDIR for one read; ones left by readers that died (their pid in the name) are removed first. */
async function makeTempDir(): Promise<string> {
  const tmp = os.tmpdir();
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (pid && pid !== process.pid && !isProcessAlive(pid)) await fs.rm(path.join(tmp, name), { recursive: true, force: true });
  }
  return fs.mkdtemp(path.join(tmp, `${TEMP_PREFIX}${process.pid}-`));
}

/** An age-encrypted backup without a key is a usage error (exit 2), said before anything is read or written. */
async function assertKeyFor(options: ReadBackupOptions): Promise<void> {
  if (options.decrypt) return;
  let encrypted = options.backup?.encrypted ?? false;
  if (!options.backup && typeof options.input === 'string') {
    const handle = await fs.open(options.input, 'r').catch(() => undefined);
    if (handle) {
      const head = Buffer.alloc(64);
      const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
      encrypted = detectFormat(head.subarray(0, bytesRead)) === 'age';
    }
  }
  if (encrypted) throw new UsageError(`${labelOf(options.input)}: age-encrypted; pass --identity or --passphrase-file`);
}

function createdAtOf(scan: ScanResult, backup: StoredBackup | undefined): string | undefined {
  if (backup) return backup.createdAt;
  if (scan.layout?.format === 'openclaw-backup') return (scan.header as ArchiveHeader).createdAt;
  if (scan.layout?.format === 'openclaw-native') return (scan.manifest as NativeManifest).createdAt;
  return undefined;
}

/** The read tree as a state dir: the state root, and each agent dir root (our format names its agent) as its agentDir. */
function viewOf(root: string, scan: ScanResult, options: ReadBackupOptions): BackupSessionsView {
  const origin = describeOrigin(scan, () => undefined);
  const state = origin.roots.find((r) => r.role === 'state');
  const entries: Record<string, { agentDir: string }> = {};
  for (const r of origin.roots) if (r.role === 'agentDir' && r.agentId) entries[r.agentId] = { agentDir: path.join(root, r.archiveRel) };
  return {
    label: labelOf(options.input),
    scope: options.agents ? `${labelOf(options.input)} (agent ${[...options.agents].join(', ')})` : labelOf(options.input),
    format: scan.layout?.format ?? null,
    createdAt: createdAtOf(scan, options.backup),
    stateDir: path.join(root, state?.archiveRel ?? 'state'),
    openclaw: { agents: { entries } },
  };
}

/**
 * Reads a backup's sessions without touching the live state: only the agent databases and legacy session files go
 * through the checked reader (entry guard, hashes against the manifest, database integrity), from a repository only
 * those are restored, and they are written into a private temp dir that is removed when `use` is done, whatever
 * happens. A backup that fails its checks is an IntegrityError (exit 3).
 */
export async function withBackupSessions<T>(options: ReadBackupOptions, use: (view: BackupSessionsView) => Promise<T> | T): Promise<T> {
  await assertKeyFor(options);
  const root = await makeTempDir();
  try {
    const select = sessionEntrySelector(options.agents);
    const writer = new StagingWriter(root, (entry) => entry.kind === 'file' && select(entry.name));
    const scan = await scanArchive(options.input, {
      decrypt: options.decrypt,
      signal: options.signal,
      select,
      scratch: root,
      onEntry: writer.handle,
      stopOnProblem: true,
    });
    if (scan.problems.length === 0) scan.problems.push(...(await writer.checkDatabases()));
    const verified = summarize(labelOf(options.input), scan);
    if (!verified.ok) throw integrityErrorFor(verified);
    return await use(viewOf(root, scan, options));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
