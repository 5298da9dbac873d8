import type { Command } from 'commander';
import { parseComponentList } from '../../core/components.js';
import { createBackup, type CreateResult } from '../../core/archive/create.js';
import { withStateLock } from '../../core/lock.js';
import { UsageError } from '../../core/errors.js';
import { verifyArchive } from '../../core/verify/verify-archive.js';
import { formatBytes, formatDuration } from '../../output/format.js';
import { createProgressDisplay } from '../../output/progress.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { COMPRESSIONS, type Compression } from '../../config/schema.js';

interface CreateFlags {
  only?: string;
  output?: string;
  dryRun?: boolean;
  verify?: boolean;
  json?: boolean;
  compress?: string;
  lockWait: string;
}

function printResult(io: CommandIO, result: CreateResult, verified: boolean): void {
  if (result.dryRun) {
    io.stdout.write(
      `Dry run: would archive ${result.files} files, ${result.directories} directories, ${result.symlinks} symlinks ` +
        `(${formatBytes(result.contentBytes)}) from components: ${result.components.join(', ')}\n`,
    );
    return;
  }
  io.stdout.write(
    `Created ${result.archive}\n  ${result.files} files (${result.databases} database snapshots), ${formatBytes(result.contentBytes)} → ` +
      `${formatBytes(result.bytes)} in ${formatDuration(result.durationMs)} (gateway paused ${formatDuration(result.pauseMs)})\n` +
      `  components: ${result.components.join(', ')}\n  sha256: ${result.sha256}${verified ? '\n  verified: ok' : ''}\n`,
  );
}

export function registerCreate(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('create')
    .description('make a backup archive of the OpenClaw state now')
    .option('--only <components>', 'comma-separated components: config,credentials,sessions,memory,workspace,logs,cache,state')
    .option('-o, --output <path>', 'archive file, or an existing directory (default: backup.path)')
    .option('--compress <kind>', 'override backup.compress: gzip, zstd or none')
    .option('--dry-run', 'print what would be archived and write nothing')
    .option('--verify', 're-read the finished archive against its manifest')
    .option('--json', 'print one JSON object')
    .option('--lock-wait <seconds>', 'how long to wait for another backup or restore holding the lock', '60')
    .action(async (flags: CreateFlags) => {
      const lockWait = Number(flags.lockWait);
      if (!Number.isFinite(lockWait) || lockWait < 0) throw new UsageError(`--lock-wait: expected a number of seconds, got "${flags.lockWait}"`);
      const { paths, config } = await loadContext(globals(), io);
      const only = flags.only ? parseComponentList(flags.only) : undefined;
      if (flags.compress && !(COMPRESSIONS as readonly string[]).includes(flags.compress)) {
        throw new UsageError(`--compress: expected gzip, zstd or none, got "${flags.compress}"`);
      }
      const progress = flags.json ? createProgressDisplay({ isTTY: false } as NodeJS.WriteStream, '') : createProgressDisplay(io.stderr, 'Backing up');
      const result = await createBackup({
        paths,
        config,
        only,
        output: flags.output,
        compression: flags.compress as Compression | undefined,
        dryRun: flags.dryRun ?? false,
        signal: io.signal,
        onProgress: (p) => progress.update(p),
        onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
        quiesce: (phase) => withStateLock(paths.stateDir, { command: 'openclaw-backup create', signal: io.signal, waitMs: lockWait * 1000 }, phase),
      });
      progress.done();
      let verified = false;
      if (flags.verify && result.archive) {
        await verifyArchive(result.archive, { signal: io.signal, throwOnProblem: true });
        verified = true;
      }
      if (flags.json) {
        printJson(io, {
          archive: result.archive, bytes: result.bytes, files: result.files, sha256: result.sha256, components: result.components,
          durationMs: result.durationMs, pauseMs: result.pauseMs, databases: result.databases, contentBytes: result.contentBytes,
          createdAt: result.createdAt, profile: result.profile, dryRun: result.dryRun, verified, warnings: result.warnings,
        });
      } else printResult(io, result, verified);
    });
}
