/*
 * The backup module: createBackup, the one way a backup is made (by create, run and the daemon). It takes the
 * locks, pauses OpenClaw only for the database snapshots, and has the store write; it never formats tar or talks to
 * restic itself.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { LoadedConfig } from '../../config/load.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import type { Compression, EncryptSettings } from '../../config/schema.js';
import { createEncryptStage } from '../crypto/encrypt-stream.js';
import { resolveEncryptionKey } from '../crypto/resolve-key.js';
import { buildSelection, COMPONENTS, isComponent, type Component } from '../components.js';
import { BackupError, ConfigError, describeFsError, InterruptedError, toBackupError } from '../../errors.js';
import { tempSuffix } from '../fs/atomic.js';
import { STAGING_PREFIX } from '../fs/temp-files.js';
import { acquireBackupShare } from '../locks/operation-lock.js';
import { recoverInterruptedRestores } from '../restore/recover.js';
import type { BackupStore, StoredBackup } from '../store/types.js';
import { openStore } from '../store/open-store.js';
import { toolVersion } from '../version.js';
import { stateIdForBackup } from '../identity/ensure-identity.js';
import { recordMade, updateStatus } from '../status-record.js';
import type { Log } from '../log.js';
import type { ProgressReporter } from '../progress.js';
import type { Quiesce } from '../locks/quiesce.js';
import { archiveEntries } from '../archive/archive-entries.js';
import type { DatabaseChecker } from '../archive/db-check-worker.js';
import { holdDatabases, SnapshotPipeline, surveySources } from '../archive/db-snapshots.js';
import { Timings, withTimings } from '../archive/timings.js';
import { FORMAT_NAME, formatVersionFor, type ArchiveHeader } from '../archive/manifest.js';
import { describeMissingRoots } from '../archive/missing-roots.js';
import { planSources } from '../archive/sources.js';
import { assertSomethingArchived } from './backup-checks.js';
import { planFollowedLinks } from '../archive/followed-links.js';
import type { FlaggedFile } from '../archive/store-file.js';
import { pathExists } from '../fs/exists.js';

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
  /** Files and bytes against the totals found before the snapshot; it gets every warning too. */
  progress?: ProgressReporter | undefined;
  onWarning?: ((message: string) => void) | undefined;
  /** Per-phase timings and decisions at debug level. */
  log?: Log | undefined;
  /**
   * Runs the snapshot phase (database snapshots) with the gateway quiesced and says how long it was paused:
   * create, run and the daemon pass quiesceFor(config) (src/core/locks/quiesce.ts). Default: run it directly.
   */
  quiesce?: Quiesce | undefined;
  /** Who is backing up, named to a restore that has to wait (default "openclaw-backup create"). */
  command?: string;
  /** How long to wait while a restore runs on the state dir before giving up with exit 4 (default 60 s). */
  lockWaitMs?: number;
  /** Runs integrity_check on each database snapshot (default: a worker thread; tests pass one that fails). */
  databaseChecker?: DatabaseChecker | undefined;
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
  /** Time the snapshot phase held the gateway quiesced (Quiesce.heldMs: lock waits excluded). */
  pauseMs: number;
  /** Dry run: files and bytes each component would contribute. */
  byComponent?: Partial<Record<Component, { files: number; bytes: number }>>;
  warnings: string[];
  /** Files stored raw and flagged (damaged databases, files named like databases that are not): see FlaggedFile. */
  flagged: FlaggedFile[];
  createdAt: string;
  profile: string;
  encrypted: boolean;
  /** The backup as its store lists it (null for a dry run). */
  stored: StoredBackup | null;
  /** The entries whose content this backup read (see WrittenBackup.fresh); undefined: all of them. */
  fresh?: string[] | undefined;
}

function openclawVersion(config: LoadedConfig): string | null {
  const meta = config.openclaw.meta as Record<string, unknown> | undefined;
  return typeof meta?.lastTouchedVersion === 'string' ? meta.lastTouchedVersion : null;
}

/**
 * Notes a snapshot in the status record as made by this state: in a repository anyone with the password can add
 * one to the series, and list and restore tell those apart by it. (An archive folder is the user's own.)
 */
async function recordMadeBackup(stateDir: string, stored: StoredBackup, warn: (message: string) => void): Promise<void> {
  if (!stored.snapshot) return;
  await updateStatus(stateDir, (record) => recordMade(record, stored)).catch((error: unknown) =>
    warn(`could not note ${stored.archive} in the status record: ${(error as Error).message}`),
  );
}

async function checkStateDir(stateDir: string): Promise<void> {
  const stateStat = await fs.stat(stateDir).catch((error: unknown) => {
    throw new ConfigError(`state dir ${stateDir} is not readable: ${describeFsError(error)}`, { cause: error });
  });
  if (!stateStat.isDirectory()) throw new ConfigError(`state dir ${stateDir} is not a directory`);
}

/**
 * The one way a backup is made: used by `create`, `run` and the daemon. A real backup first undoes a killed
 * restore's swap, then holds a share of the operation lock from before the backups dir is made to the end, so it
 * never runs beside a restore.
 */
export async function createBackup(options: CreateOptions): Promise<CreateResult> {
  await checkStateDir(options.paths.stateDir);
  if (options.dryRun) return writeBackup(options);
  const { stateDir } = options.paths;
  const warn = (message: string) => {
    options.onWarning?.(message);
    options.progress?.warning(message);
  };
  const recovered = await recoverInterruptedRestores(stateDir, { signal: options.signal });
  for (const message of recovered.warnings) warn(message);
  const share = await acquireBackupShare(stateDir, {
    command: options.command ?? 'openclaw-backup create',
    waitMs: options.lockWaitMs,
    signal: options.signal,
    onCompromised: warn,
  });
  try {
    return await writeBackup(options);
  } finally {
    await share.release();
  }
}

async function writeBackup(options: CreateOptions): Promise<CreateResult> {
  const started = Date.now();
  const now = options.now ?? (() => new Date());
  const createdAt = now();
  const { paths, config } = options;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
    options.progress?.warning(message);
  };
  const debug = (fields: Record<string, unknown>, message: string) => options.log?.debug(fields, message);

  const selection = buildSelection({
    only: options.only,
    include: config.backup.include,
    exclude: config.backup.exclude,
    keyPrefix: config.keyPrefix,
  });
  const requested = options.compression ?? config.backup.compress;
  const resolvePath = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const encryptSettings = options.encrypt ?? config.backup.encrypt;
  const keyPath = options.encrypt ? 'command line' : `${config.keyPrefix}.encrypt`;
  const encryption = await resolveEncryptionKey(encryptSettings, { env: options.env ?? process.env, resolvePath, keyPath });
  const { sources: planned, exclude: rootLinks, missing } = await planSources(paths, config);
  const missingMessage = describeMissingRoots(missing, paths, config, await pathExists(path.join(paths.stateDir, 'workspace')));
  if (missingMessage) warn(missingMessage);
  const followKey = `${config.keyPrefix}.followLinks`;
  const sources = [...planned, ...(await planFollowedLinks(planned, config.backup.followLinks, { paths, keyPath: followKey }, warn))];
  const store = options.store ?? (await openStore(paths, config, { output: options.output, write: !options.dryRun }));
  const stateId = await stateIdForBackup(paths.stateDir, { dryRun: Boolean(options.dryRun), onWarning: warn });
  const target = await store.prepareWrite({
    stateDir: paths.stateDir,
    sourceRoots: sources.map((s) => s.root.path),
    create: !options.dryRun,
    encrypted: Boolean(encryption),
    stateId,
    encrypt: { settings: encryptSettings, resolvePath },
    origin: options.output ? '--output' : config.backup.path ? `${config.keyPrefix}.path` : 'the default backups dir',
    warn,
  });
  const excludeAbs = [...target.excludeFromWalk, ...rootLinks, target.scratchDir];
  const components = COMPONENTS.filter((c) => selection.components.has(c));
  // A repository compresses and deduplicates by itself.
  const compression = target.compression ?? requested;
  if (options.compression && options.compression !== compression)
    warn(`--compress ${options.compression} ignored: ${store.location} compresses backups itself`);
  debug(
    {
      roots: sources.map((s) => s.root.path),
      components,
      compression,
      encrypted: Boolean(encryption),
      output: target.name ?? store.location,
    },
    'backup planned',
  );

  const header: ArchiveHeader = {
    format: FORMAT_NAME,
    formatVersion: formatVersionFor({ sparse: false }),
    tool: { name: 'openclaw-backup', version: toolVersion(), node: process.version },
    createdAt: createdAt.toISOString(),
    host: {
      hostname: os.hostname(),
      platform: process.platform,
      user: os.userInfo().username,
      uid: process.getuid?.() ?? null,
      home: paths.home,
    },
    profile: paths.profile,
    ...(stateId ? { stateId } : {}),
    stateDir: paths.stateDir,
    configPath: paths.configPath,
    openclawVersion: openclawVersion(config),
    components,
    selection: {
      include: options.only ? [] : (config.backup.include ?? []).filter((i) => !isComponent(i)),
      exclude: (config.backup.exclude ?? []).filter((e) => !isComponent(e)),
    },
    compression,
    roots: sources.map((s) => s.root),
  };

  if (options.dryRun) {
    const counted = await archiveEntries({
      sources,
      selection,
      sink: undefined,
      manifest: undefined,
      excludeAbs,
      signal: options.signal,
      onWarning: warn,
      followKey,
    });
    assertSomethingArchived(counted, paths);
    // The same component list the real archive's header would carry, with what each would contribute.
    return {
      dryRun: true,
      archive: target.name ?? null,
      bytes: 0,
      sha256: null,
      files: counted.files,
      directories: counted.directories,
      symlinks: counted.symlinks,
      databases: 0,
      contentBytes: counted.bytes,
      components,
      byComponent: counted.byComponent,
      durationMs: Date.now() - started,
      pauseMs: 0,
      warnings,
      flagged: [],
      createdAt: header.createdAt,
      profile: paths.profile,
      encrypted: Boolean(encryption),
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
  let seal: Duplex | undefined;
  let snapshots: SnapshotPipeline | undefined;
  const timings = new Timings();
  try {
    // Before the snapshot phase: deriving a passphrase key (scrypt) takes a second of CPU.
    timings.phase('prepare');
    seal = encryption ? await createEncryptStage(encryption) : undefined;
    const totals = { files: 0, bytes: 0 };
    timings.phase('survey');
    let phaseStart = Date.now();
    const survey = await surveySources({ sources, selection, excludeAbs, signal: options.signal, totals });
    header.formatVersion = formatVersionFor({ sparse: survey.sparseFiles.size > 0 });
    const databases = survey.databases;
    debug(
      {
        databases: databases.length,
        sparse: survey.sparseFiles.size,
        files: totals.files,
        bytes: totals.bytes,
        ms: Date.now() - phaseStart,
      },
      'walked the sources and found the databases',
    );
    timings.phase('snapshot');
    phaseStart = Date.now();
    const hold = () => holdDatabases({ databases, stagingDir, signal: options.signal });
    const held = options.quiesce ? await options.quiesce.run(hold) : await hold();
    const pauseMs = options.quiesce ? options.quiesce.heldMs() : Date.now() - phaseStart;
    debug({ databases: held.length, pauseMs, ms: Date.now() - phaseStart }, 'snapshot phase done');
    timings.phase('write');
    phaseStart = Date.now();
    // An archive stores each database after every other file, its copy and check made beside the stream; a
    // repository's sink reads the snapshots as they are and checks them itself, so it gets them all copied first.
    const beside = target.databasesBeside;
    const pipeline = new SnapshotPipeline(held, {
      stagingDir,
      signal: options.signal,
      timings,
      check: beside,
      checker: options.databaseChecker,
    });
    snapshots = pipeline;
    if (!beside) await pipeline.settled();
    const written = await withTimings(timings, () =>
      target.write({
        header,
        sources,
        selection,
        components,
        snapshots: pipeline,
        stagingDir,
        excludeAbs,
        sparseFiles: survey.sparseFiles,
        encrypt: seal,
        followKey,
        signal: options.signal,
        now,
        onWarning: warn,
        progress: options.progress,
        totals: { items: totals.files, bytes: totals.bytes },
        assertNotEmpty: (counted) => assertSomethingArchived(counted, paths),
        debug,
      }),
    );
    const { counted } = written;
    debug({ files: counted.files, bytes: counted.bytes, flagged: counted.flagged.length, ms: Date.now() - phaseStart }, 'files archived');
    debug(timings.report(), 'where the time went');
    const stored: StoredBackup = { ...written.stored, stateId };
    await recordMadeBackup(paths.stateDir, stored, warn);
    return {
      dryRun: false,
      archive: stored.archive,
      bytes: written.bytes,
      sha256: written.sha256,
      files: counted.files,
      directories: counted.directories,
      symlinks: counted.symlinks,
      databases: written.totals.databases,
      contentBytes: counted.bytes,
      components,
      durationMs: Date.now() - started,
      pauseMs,
      warnings,
      flagged: counted.flagged,
      createdAt: header.createdAt,
      profile: paths.profile,
      encrypted: Boolean(encryption),
      stored,
      fresh: written.fresh,
    };
  } catch (error) {
    seal?.destroy();
    if (options.signal?.aborted) throw new InterruptedError('backup interrupted; no archive was written', { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupError('failure', `archive already exists; archives are never overwritten`, { cause: error });
    throw toBackupError(error, 'backup');
  } finally {
    // Cleanup must never replace the real error (closing rejects the checks it stops: "database check stopped",
    // where the disk had filled); a staging dir left behind is removed by the next run.
    await snapshots?.close().catch(() => {});
    await fs.rm(stagingDir, { recursive: true, force: true }).catch(() => {});
  }
}
