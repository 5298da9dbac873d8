import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ArchiveHeader } from '../archive/manifest.js';
import { labelOf, type ArchiveInput } from '../reader/source.js';
import type { DecryptionKey } from '../crypto/keys.js';
import { isProcessAlive } from '../fs/atomic.js';
import { readArchive } from '../restore/read-archive.js';
import { describeOrigin } from '../restore/roots.js';
import type { StoredBackup } from '../store/types.js';
import type { ArchiveFormat } from '../reader/archive-layout.js';
import type { NativeManifest } from '../reader/check-native.js';
import type { ScanResult } from '../reader/scan-archive.js';
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
 * Reads a backup's sessions without touching the live state, through restore's own reader (read-archive.ts): every
 * entry is checked as it streams (entry guard, hashes against the manifest), but only the agent databases and legacy
 * session files are written out — into a private temp dir removed when `use` is done, whatever happens — and checked
 * with integrity_check; from a repository only those are restored. An encrypted backup without a key is a
 * UsageError (exit 2), one that fails its checks an IntegrityError (exit 3).
 */
export async function withBackupSessions<T>(options: ReadBackupOptions, use: (view: BackupSessionsView) => Promise<T> | T): Promise<T> {
  const root = await makeTempDir();
  try {
    const { scan } = await readArchive({
      archive: options.input,
      staging: root,
      decrypt: options.decrypt,
      signal: options.signal,
      select: sessionEntrySelector(options.agents),
    });
    return await use(viewOf(root, scan, options));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
