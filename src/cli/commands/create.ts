import path from 'node:path';
import type { Command } from 'commander';
import { parseComponentList } from '../../core/components.js';
import { createBackup, type CreateResult } from '../../core/backup/create.js';
import { damagedDatabaseError } from '../../core/backup/backup-checks.js';
import { quiesceFor } from '../../core/locks/quiesce.js';
import { UsageError } from '../../errors.js';
import { verifyBackup } from '../../core/store/verify-backup.js';
import { openStore } from '../../core/store/open-store.js';
import { countOf, escapeControl, formatBytes, formatDuration } from '../../core/format.js';
import { createJsonLogger, createTextLogger } from '../../output/logger.js';
import { createProgressRenderer, progressModeFor } from '../../output/progress.js';
import { loadContext, printJson, resolveLogLevel, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { COMPRESSIONS, type Compression, type EncryptSettings } from '../../config/schema.js';
import { expandHome, type StatePaths } from '../../config/paths.js';
import type { DecryptionKey } from '../../core/crypto/keys.js';
import { keyToVerify } from '../../core/crypto/verify-key.js';
import { addEncryptOptions, resolveEncryptOverride, type EncryptFlags } from '../key-options.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';
import { startCreateReport } from '../../hooks/report-create.js';
import { recordHandMade } from '../../core/status-record.js';

interface CreateFlags extends EncryptFlags, RepositoryFlags {
  init?: boolean;
  identity?: string[];
  only?: string;
  output?: string;
  dryRun?: boolean;
  verify?: boolean;
  json?: boolean;
  monitor?: boolean;
  compress?: string;
  lockWait: string;
}

/** The key --verify reads the new archive with: the passphrase it was encrypted with, or --identity. */
async function keyForVerify(
  flags: CreateFlags,
  settings: EncryptSettings,
  keyPath: string,
  paths: StatePaths,
  io: CommandIO,
): Promise<DecryptionKey> {
  const resolvePath = (file: string) => expandHome(file, paths.home, paths.stateDir);
  const key = await keyToVerify(
    settings,
    { env: io.env, resolvePath, keyPath },
    (flags.identity ?? []).map((f) => path.resolve(f)),
  );
  if (key) return key;
  throw new UsageError('--verify: the archive is encrypted to recipients; pass --identity with a matching age identity file');
}

function printResult(io: CommandIO, result: CreateResult, verified: boolean, created: string): void {
  if (result.dryRun) {
    const width = Math.max(...result.components.map((c) => c.length));
    const perComponent = result.components.map((c) => {
      const tally = result.byComponent?.[c] ?? { files: 0, bytes: 0 };
      return `  ${c.padEnd(width)}  ${String(tally.files).padStart(7)} ${tally.files === 1 ? 'file ' : 'files'}  ${formatBytes(tally.bytes).padStart(10)}\n`;
    });
    io.stdout.write(
      `Dry run: would archive ${countOf(result.files, 'file')}, ${countOf(result.directories, 'directory', 'directories')}, ${countOf(result.symlinks, 'symlink')} ` +
        `(${formatBytes(result.contentBytes)}) from components: ${result.components.join(', ')}\n${perComponent.join('')}`,
    );
    return;
  }
  // A snapshot's size is what restic added to the repository this time (it keeps unchanged data once).
  const size = result.sha256 === null ? `${formatBytes(result.bytes)} new data` : formatBytes(result.bytes);
  const digest = result.sha256 === null ? '' : `\n  sha256: ${result.sha256}`;
  io.stdout.write(
    `Created ${escapeControl(created)}\n  ${countOf(result.files, 'file')} (${countOf(result.databases, 'database snapshot')})${result.symlinks ? `, ${countOf(result.symlinks, 'symlink')}` : ''}, ${formatBytes(result.contentBytes)} → ` +
      `${size} in ${formatDuration(result.durationMs)} (gateway paused ${formatDuration(result.pauseMs)})\n` +
      `  components: ${result.components.join(', ')}${result.encrypted ? '\n  encrypted: age' : ''}${digest}${verified ? '\n  verified: ok' : ''}\n`,
  );
}

export function registerCreate(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('create')
    .description('make a backup archive of the OpenClaw state now')
    .option('--only <components>', 'comma-separated components: config,credentials,sessions,memory,workspace,logs,cache,state')
    .option('-o, --output <path>', 'archive file, or an existing directory (default: backup.repository, else backup.path)')
    .option('--compress <kind>', 'override backup.compress: gzip, zstd or none')
    .option('--dry-run', 'print what would be archived and write nothing')
    .option('--verify', 're-read the finished archive against its manifest')
    .option('--json', 'print one JSON object')
    .option('--monitor', 'report this create like a scheduled run: backup.monitor pings and backup.onFailure')
    .option('--lock-wait <seconds>', 'how long to wait for another backup or restore holding the lock', '60')
    .option('--init', 'initialise the repository first when it does not exist yet (backup.repository / --repository)');
  addRepositoryOptions(addEncryptOptions(command)).action(async (flags: CreateFlags) => {
    const lockWait = Number(flags.lockWait);
    if (!Number.isFinite(lockWait) || lockWait < 0)
      throw new UsageError(`--lock-wait: expected a number of seconds, got "${flags.lockWait}"`);
    const { paths, config } = await loadContext(globals(), io);
    const only = flags.only ? parseComponentList(flags.only) : undefined;
    if (flags.compress && !(COMPRESSIONS as readonly string[]).includes(flags.compress)) {
      throw new UsageError(`--compress: expected gzip, zstd or none, got "${flags.compress}"`);
    }
    const encrypt = resolveEncryptOverride(flags);
    const settings = encrypt ?? config.backup.encrypt;
    const verifyKey =
      flags.verify && !flags.dryRun && settings
        ? await keyForVerify(flags, settings, encrypt ? 'command line' : `${config.keyPrefix}.encrypt`, paths, io)
        : undefined;
    const level = resolveLogLevel(globals(), io);
    const log = flags.json ? createJsonLogger(io.stderr, level) : createTextLogger(io.stderr, level);
    const report = flags.monitor && !flags.dryRun ? startCreateReport({ paths, config, log, env: io.env, signal: io.signal }) : undefined;
    const fail = async (error: unknown, made?: CreateResult): Promise<never> => {
      await report?.failed(error, made);
      throw error;
    };
    const progress = createProgressRenderer({ stream: io.stderr, mode: progressModeFor(io.stderr, Boolean(flags.json)) });
    const quiesce = quiesceFor({
      paths,
      config,
      command: 'openclaw-backup create',
      log,
      signal: io.signal,
      lockWaitMs: lockWait * 1000,
      env: io.env,
    });
    const store = await openStore(paths, config, {
      output: flags.output,
      repository: repositoryFlags(flags),
      ...storeIO(io),
      write: !flags.dryRun,
    }).catch(fail);
    if (flags.init) {
      if ((await store.init({ signal: io.signal, dryRun: flags.dryRun }).catch(fail)).created)
        io.stderr.write(`initialised repository ${store.location}\n`);
    }
    const result = await createBackup({
      paths,
      config,
      store,
      // An explicit --output is the user's choice of place (their home, say): no chmod advice for it.
      output: flags.output,
      only,
      compression: flags.compress as Compression | undefined,
      encrypt,
      env: io.env,
      dryRun: flags.dryRun ?? false,
      signal: io.signal,
      progress,
      log,
      quiesce,
      lockWaitMs: lockWait * 1000,
    }).catch(fail);
    // Made by hand: the schedule's retention neither counts nor deletes it (only `prune` does).
    if (result.stored && !flags.output) await recordHandMade(paths.stateDir, result.stored.archive);
    let verified = false;
    if (flags.verify && result.stored) {
      if (report) report.phase = 'verify';
      await verifyBackup(store, result.stored, { signal: io.signal, throwOnProblem: true, decrypt: verifyKey, progress }).catch(
        (error: unknown) => fail(error, result),
      );
      verified = true;
    }
    await report?.succeeded(result);
    if (flags.json) {
      printJson(io, {
        archive: result.archive,
        bytes: result.bytes,
        files: result.files,
        symlinks: result.symlinks,
        sha256: result.sha256,
        components: result.components,
        durationMs: result.durationMs,
        pauseMs: result.pauseMs,
        databases: result.databases,
        contentBytes: result.contentBytes,
        createdAt: result.createdAt,
        profile: result.profile,
        dryRun: result.dryRun,
        verified,
        encrypted: result.encrypted,
        warnings: result.warnings,
        flagged: result.flagged,
        ...(result.stored?.snapshot ? { snapshot: result.stored.snapshot, repository: result.stored.repository } : {}),
        ...(result.dryRun ? { byComponent: result.byComponent } : {}),
      });
    } else printResult(io, result, verified, result.stored ? store.source(result.stored).label : String(result.archive));
    const damaged = damagedDatabaseError(result);
    if (damaged) throw damaged;
  });
}
