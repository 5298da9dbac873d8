import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import type { Compression, EncryptSettings } from '../../config/schema.js';
import { createEncryptStage } from '../crypto/encrypt-stream.js';
import { checkKeyPlacement } from '../crypto/key-placement.js';
import { resolveEncryptionKey } from '../crypto/resolve-key.js';
import { buildSelection, COMPONENTS, type Component } from '../components.js';
import { BackupError, ConfigError, describeFsError, InterruptedError, toBackupError } from '../../errors.js';
import { tempSuffix } from '../fs/atomic.js';
import { cleanStaleRestoreStaging, STAGING_PREFIX } from '../fs/temp-files.js';
import type { BackupDraft, BackupStore, StoredBackup } from '../store/types.js';
import { openStore } from '../store/open-store.js';
import { toolVersion } from '../version.js';
import { archiveEntries, type ArchiveProgress } from './archive-entries.js';
import { ArchiveWriter } from './archive-writer.js';
import { findDatabases, snapshotDatabases } from './db-snapshots.js';
import { FORMAT_NAME, FORMAT_VERSION, HEADER_PATH, MANIFEST_PATH, type ArchiveHeader } from './manifest.js';
import { ManifestWriter } from './manifest-writer.js';
import { planSources, type BackupSource } from './sources.js';

export interface CreateOptions {
  paths: StatePaths;
  config: LoadedConfig;
  /** --only: components, overriding backup.include. */
  only?: Component[] | undefined;
  /** Where the backup goes (src/core/store/open-store.ts); default: --output when given, else backup.path. */
  store?: BackupStore | undefined;
  /** --output: a file path or an existing directory (used when no store is given). */
  output?: string | undefined;
  compression?: Compression | undefined;
  /** Overrides backup.encrypt for this run (--encrypt-to, --passphrase-file). */
  encrypt?: EncryptSettings | undefined;
  /** For backup.encrypt.passphraseEnv; default process.env. */
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
  signal?: AbortSignal | undefined;
  now?: () => Date;
  onProgress?: ((progress: ArchiveProgress) => void) | undefined;
  onWarning?: ((message: string) => void) | undefined;
  /**
   * Runs the snapshot phase (database snapshots) with the gateway quiesced: the daemon and CLI pass a function
   * that holds the inter-process lock. Default: run it directly.
   */
  quiesce?: <T>(phase: () => Promise<T>) => Promise<T>;
}

export interface CreateResult {
  dryRun: boolean;
  archive: string | null;
  bytes: number;
  sha256: string | null;
  files: number;
  directories: number;
  symlinks: number;
  databases: number;
  contentBytes: number;
  components: Component[];
  durationMs: number;
  /** Time the snapshot phase held the gateway quiesced. */
  pauseMs: number;
  warnings: string[];
  createdAt: string;
  profile: string;
  encrypted: boolean;
  /** The backup as its store lists it (null for a dry run). */
  stored: StoredBackup | null;
}

function openclawVersion(config: LoadedConfig): string | null {
  const meta = config.openclaw.meta as Record<string, unknown> | undefined;
  return typeof meta?.lastTouchedVersion === 'string' ? meta.lastTouchedVersion : null;
}

async function existingSources(sources: BackupSource[], warn: (m: string) => void): Promise<BackupSource[]> {
  const out: BackupSource[] = [];
  for (const source of sources) {
    const exists = await fs.lstat(source.root.path).then(() => true, () => false);
    if (exists) out.push(source);
    else warn(`${source.root.role} ${source.root.path} does not exist; skipped`);
  }
  return out;
}

/** The one way a backup is made: used by `create`, `run` and the daemon. */
export async function createBackup(options: CreateOptions): Promise<CreateResult> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const createdAt = now();
  const { paths, config } = options;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };

  const stateStat = await fs.stat(paths.stateDir).catch((error: unknown) => {
    throw new ConfigError(`state dir ${paths.stateDir} is not readable: ${describeFsError(error)}`, { cause: error });
  });
  if (!stateStat.isDirectory()) throw new ConfigError(`state dir ${paths.stateDir} is not a directory`);

  // A restore killed mid-swap may have left the backups dir inside its staging dir: put it back before writing.
  if (!options.dryRun) await cleanStaleRestoreStaging(paths.stateDir);
  const selection = buildSelection({ only: options.only, include: config.backup.include, exclude: config.backup.exclude, keyPrefix: config.keyPrefix });
  const requested = options.compression ?? config.backup.compress;
  const resolvePath = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const encryptSettings = options.encrypt ?? config.backup.encrypt;
  const keyPath = options.encrypt ? 'command line' : `${config.keyPrefix}.encrypt`;
  const encryption = await resolveEncryptionKey(encryptSettings, { env: options.env ?? process.env, resolvePath, keyPath });
  const planned = planSources(paths, config);
  const sources = await existingSources(planned, warn);
  const store = options.store ?? (await openStore(paths, config, { output: options.output }));
  const target = await store.prepareWrite({ stateDir: paths.stateDir, sourceRoots: sources.map((s) => s.root.path), create: !options.dryRun, encrypted: Boolean(encryption) });
  const components = COMPONENTS.filter((c) => selection.components.has(c));
  // A repository stores the archive uncompressed inside: it deduplicates and compresses it itself.
  const compression = target.compression ?? requested;
  if (options.compression && options.compression !== compression) warn(`--compress ${options.compression} ignored: ${store.location} compresses backups itself`);
  if (store.kind === 'folder') checkKeyPlacement(encryptSettings, { backupDir: store.location, stateDir: paths.stateDir, resolvePath }, warn);

  const header: ArchiveHeader = {
    format: FORMAT_NAME,
    formatVersion: FORMAT_VERSION,
    tool: { name: 'openclaw-backup', version: toolVersion(), node: process.version },
    createdAt: createdAt.toISOString(),
    host: { hostname: os.hostname(), platform: process.platform, user: os.userInfo().username, uid: process.getuid?.() ?? null, home: paths.home },
    profile: paths.profile,
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    openclawVersion: openclawVersion(config),
    components,
    compression,
    roots: sources.map((s) => s.root),
  };

  if (options.dryRun) {
    const counted = await archiveEntries({ sources, selection, writer: undefined, manifest: undefined, snapshots: new Map(), stagingDir: '', excludeAbs: target.excludeFromWalk, signal: options.signal, onWarning: warn });
    return {
      dryRun: true, archive: target.name ?? null, bytes: 0, sha256: null, files: counted.files, directories: counted.directories,
      symlinks: counted.symlinks, databases: 0, contentBytes: counted.bytes, components: COMPONENTS.filter((c) => counted.components.has(c)),
      durationMs: Date.now() - started, pauseMs: 0, warnings, createdAt: header.createdAt, profile: paths.profile, encrypted: Boolean(encryption),
      stored: null,
    };
  }

  const stagingDir = path.join(target.scratchDir, `${STAGING_PREFIX}${tempSuffix()}`);
  try {
    await fs.mkdir(stagingDir, { mode: 0o700 });
  } catch (error) {
    // The first write into the backups dir: a read-only, foreign-owned or full dir is named here, once.
    throw new BackupError('failure', `cannot write to backups dir ${target.scratchDir}: ${describeFsError(error)}`, { cause: error });
  }
  let draft: BackupDraft | undefined;
  let writer: ArchiveWriter | undefined;
  let manifest: ManifestWriter | undefined;
  let seal: Duplex | undefined;
  try {
    // Before the snapshot phase: deriving a passphrase key (scrypt) takes a second of CPU.
    seal = encryption ? await createEncryptStage(encryption) : undefined;
    const quiesce = options.quiesce ?? ((phase) => phase());
    const databases = await findDatabases({ sources, selection, excludeAbs: target.excludeFromWalk, signal: options.signal });
    const pauseStart = Date.now();
    const snapshots = await quiesce(() => snapshotDatabases({ databases, stagingDir, signal: options.signal }));
    const pauseMs = Date.now() - pauseStart;

    draft = await store.begin({ profile: paths.profile, createdAt, compression, encrypted: Boolean(encryption), components });
    writer = await ArchiveWriter.open(draft.target, compression, options.signal, seal);
    await writer.addBuffer(HEADER_PATH, Buffer.from(`${JSON.stringify(header, null, 2)}\n`), { mode: 0o600, mtime: createdAt });
    manifest = await ManifestWriter.open(path.join(stagingDir, 'manifest.json'), header);
    const counted = await archiveEntries({
      sources, selection, writer, manifest, snapshots, stagingDir, excludeAbs: target.excludeFromWalk,
      signal: options.signal, onProgress: options.onProgress, onWarning: warn,
    });
    const manifestSize = await manifest.finish(now());
    await writer.addFile(MANIFEST_PATH, manifest.file, manifestSize, { mode: 0o600, mtime: now() });
    const written = await writer.finish();
    writer = undefined;

    const committed = await draft.commit();
    draft = undefined;
    const finalPath = committed.archive;
    const stored: StoredBackup = {
      bytes: written.bytes, ...committed, createdAt: header.createdAt, components, encrypted: Boolean(encryption), profile: paths.profile, recognisedBy: 'header',
    };
    return {
      dryRun: false, archive: finalPath, bytes: written.bytes, sha256: written.sha256, files: counted.files,
      directories: counted.directories, symlinks: counted.symlinks, databases: manifest.totals.databases, contentBytes: counted.bytes,
      components, durationMs: Date.now() - started, pauseMs, warnings, createdAt: header.createdAt, profile: paths.profile, encrypted: Boolean(encryption),
      stored,
    };
  } catch (error) {
    await writer?.abort();
    seal?.destroy();
    await manifest?.discard();
    await draft?.abort();
    if (options.signal?.aborted) throw new InterruptedError('backup interrupted; no archive was written', { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError('failure', `archive already exists; archives are never overwritten`, { cause: error });
    throw toBackupError(error, 'backup');
  } finally {
    // Cleanup must never replace the real error; a staging dir left behind is removed by the next run.
    await fs.rm(stagingDir, { recursive: true, force: true }).catch(() => {});
  }
}
