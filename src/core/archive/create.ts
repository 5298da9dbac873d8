import { randomBytes } from 'node:crypto';
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
import { BackupError, ConfigError, describeFsError, InterruptedError, toBackupError, UsageError } from '../../errors.js';
import { publishNoOverwrite, tempSuffix } from '../fs/atomic.js';
import { cleanStaleRestoreStaging, cleanStaleTemps, partialPathFor, STAGING_PREFIX } from '../fs/temp-files.js';
import { toolVersion } from '../version.js';
import { archiveEntries, type ArchiveProgress } from './archive-entries.js';
import { ArchiveWriter } from './archive-writer.js';
import { snapshotDatabases, surveySources } from './db-snapshots.js';
import { FORMAT_NAME, formatVersionFor, HEADER_PATH, MANIFEST_PATH, type ArchiveHeader } from './manifest.js';
import { ManifestWriter } from './manifest-writer.js';
import { freeArchivePath, resolveOutput } from './output-path.js';
import { planSources, type BackupSource } from './sources.js';
import { assertSomethingArchived } from './backup-checks.js';
import { checkBackupsDirMode } from './backups-dir-mode.js';
import { planFollowedLinks } from './followed-links.js';
import type { FlaggedFile } from './store-file.js';

export interface CreateOptions {
  paths: StatePaths;
  config: LoadedConfig;
  /** --only: components, overriding backup.include. */
  only?: Component[] | undefined;
  /** --output: a file path or an existing directory. */
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
  /** Files stored raw and flagged (damaged databases, files named like databases that are not): see FlaggedFile. */
  flagged: FlaggedFile[];
  createdAt: string;
  profile: string;
  encrypted: boolean;
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

/**
 * Publishes the partial under its final name. An auto-chosen name can be taken between choosing and publishing by
 * a concurrent backup of the same second; then the next free name is chosen. An explicit --output never moves.
 */
async function publishArchive(partial: string, explicit: string | undefined, chooseName: () => Promise<string>): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const finalPath = explicit ?? (await chooseName());
    try {
      await publishNoOverwrite(partial, finalPath);
      return finalPath;
    } catch (error) {
      if (explicit || (error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 20) throw error;
    }
  }
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
  const compression = options.compression ?? config.backup.compress;
  const resolvePath = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const encryptSettings = options.encrypt ?? config.backup.encrypt;
  const keyPath = options.encrypt ? 'command line' : `${config.keyPrefix}.encrypt`;
  const encryption = await resolveEncryptionKey(encryptSettings, { env: options.env ?? process.env, resolvePath, keyPath });
  const suffix = encryption ? '.age' : '';
  const planned = planSources(paths, config);
  const existing = await existingSources(planned, warn);
  const followKey = `${config.keyPrefix}.followLinks`;
  const sources = [...existing, ...(await planFollowedLinks(existing, config.backup.followLinks, { paths, keyPath: followKey }, warn))];
  const target = await resolveOutput({ output: options.output, backupDir: config.backupDir, stateDir: paths.stateDir, sources, create: !options.dryRun });
  const dirSource = options.output ? '--output' : config.backup.path ? `${config.keyPrefix}.path` : 'the default backups dir';
  await checkBackupsDirMode({ dir: target.dir, source: dirSource, warnLoose: !options.output }, warn);
  const components = COMPONENTS.filter((c) => selection.components.has(c));
  // By identity too: a backups dir (and our staging dir in it) that resolves into a source tree is never archived.
  const excludeAbs = [...target.excludeFromWalk, target.dir];
  checkKeyPlacement(encryptSettings, { backupDir: target.dir, stateDir: paths.stateDir, resolvePath }, warn);
  if (encryption && target.file && !target.file.endsWith('.age')) throw new UsageError(`output ${target.file}: an encrypted archive's name must end in .age`);

  const header: ArchiveHeader = {
    format: FORMAT_NAME,
    formatVersion: formatVersionFor({ sparse: false }),
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
    const counted = await archiveEntries({ sources, selection, writer: undefined, manifest: undefined, snapshots: new Map(), stagingDir: '', excludeAbs, signal: options.signal, onWarning: warn, followKey });
    assertSomethingArchived(counted, paths);
    return {
      dryRun: true, archive: target.file ?? null, bytes: 0, sha256: null, files: counted.files, directories: counted.directories,
      symlinks: counted.symlinks, databases: 0, contentBytes: counted.bytes, components: COMPONENTS.filter((c) => counted.components.has(c)),
      durationMs: Date.now() - started, pauseMs: 0, warnings, flagged: [], createdAt: header.createdAt, profile: paths.profile, encrypted: Boolean(encryption),
    };
  }

  await cleanStaleTemps(target.dir);
  const stagingDir = path.join(target.dir, `${STAGING_PREFIX}${tempSuffix()}`);
  const finalGuess = target.file ?? path.join(target.dir, `openclaw-backup-${paths.profile}`);
  const partial = partialPathFor(finalGuess, `${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.mkdir(stagingDir, { mode: 0o700 });
  } catch (error) {
    // The first write into the backups dir: a read-only, foreign-owned or full dir is named here, once.
    throw new BackupError('failure', `cannot write to backups dir ${target.dir}: ${describeFsError(error)}`, { cause: error });
  }
  let writer: ArchiveWriter | undefined;
  let manifest: ManifestWriter | undefined;
  let seal: Duplex | undefined;
  try {
    // Before the snapshot phase: deriving a passphrase key (scrypt) takes a second of CPU.
    seal = encryption ? await createEncryptStage(encryption) : undefined;
    const quiesce = options.quiesce ?? ((phase) => phase());
    const survey = await surveySources({ sources, selection, excludeAbs, signal: options.signal });
    header.formatVersion = formatVersionFor({ sparse: survey.sparseFiles.size > 0 });
    const pauseStart = Date.now();
    const snapshots = await quiesce(() => snapshotDatabases({ databases: survey.databases, stagingDir, signal: options.signal }));
    const pauseMs = Date.now() - pauseStart;

    writer = await ArchiveWriter.open(partial, compression, options.signal, seal);
    await writer.addBuffer(HEADER_PATH, Buffer.from(`${JSON.stringify(header, null, 2)}\n`), { mode: 0o600, mtime: createdAt });
    manifest = await ManifestWriter.open(path.join(stagingDir, 'manifest.json'), header);
    const counted = await archiveEntries({
      sources, selection, writer, manifest, snapshots, stagingDir, excludeAbs, sparseFiles: survey.sparseFiles,
      signal: options.signal, onProgress: options.onProgress, onWarning: warn, followKey,
    });
    assertSomethingArchived(counted, paths);
    const manifestSize = await manifest.finish(now());
    await writer.addFile(MANIFEST_PATH, manifest.file, manifestSize, { mode: 0o600, mtime: now() });
    const written = await writer.finish();
    writer = undefined;

    const finalPath = await publishArchive(partial, target.file, () => freeArchivePath(target.dir, paths.profile, createdAt, compression, suffix));
    return {
      dryRun: false, archive: finalPath, bytes: written.bytes, sha256: written.sha256, files: counted.files,
      directories: counted.directories, symlinks: counted.symlinks, databases: manifest.totals.databases, contentBytes: counted.bytes,
      components, durationMs: Date.now() - started, pauseMs, warnings, flagged: counted.flagged, createdAt: header.createdAt, profile: paths.profile, encrypted: Boolean(encryption),
    };
  } catch (error) {
    await writer?.abort();
    seal?.destroy();
    await manifest?.discard();
    await fs.rm(partial, { force: true });
    if (options.signal?.aborted) throw new InterruptedError('backup interrupted; no archive was written', { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError('failure', `archive already exists; archives are never overwritten`, { cause: error });
    throw toBackupError(error, 'backup');
  } finally {
    // Cleanup must never replace the real error; a staging dir left behind is removed by the next run.
    await fs.rm(stagingDir, { recursive: true, force: true }).catch(() => {});
  }
}
