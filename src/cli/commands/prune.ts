import path from 'node:path';
import type { Command } from 'commander';
import { withStateLock } from '../../core/locks/lock.js';
import { pruneBackups } from '../../core/retention/prune.js';
import { openStore } from '../../core/store/open-store.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';
import { addRetentionFlags, retentionFromFlags, type RetentionFlags } from '../retention-flags.js';
import { UsageError } from '../../errors.js';

export function registerPrune(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('prune')
    .description("apply backup.retention (or the --keep-* flags) to this state dir's archives now (the newest is always kept)")
    .option('--dry-run', 'show what would be deleted and delete nothing')
    .option('--json', 'print one JSON object: kept (with reasons), removed, ignored')
    .option('-q, --quiet', 'print nothing but errors')
    .option('-v, --verbose', "also list the files that are not counted as this state dir's archives, and why");
  addRepositoryOptions(addRetentionFlags(command)).action(
    async (flags: RetentionFlags & RepositoryFlags & { dryRun?: boolean; json?: boolean; quiet?: boolean; verbose?: boolean }) => {
      if (flags.quiet && flags.verbose) throw new UsageError('--quiet and --verbose: pass one, not both');
      const override = retentionFromFlags(flags);
      const { paths, config } = await loadContext(globals(), io);
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), ...storeIO(io), write: !flags.dryRun });
      const result = await withStateLock(
        paths.stateDir,
        { command: 'openclaw-backup prune', signal: io.signal, onCompromised: (m) => io.stderr.write(`warning: ${m}\n`) },
        () =>
          pruneBackups(store, {
            retention: override ?? config.backup.retention,
            timeZone: config.backup.timezone,
            dryRun: flags.dryRun ?? false,
            reclaim: 'now',
          }),
      );
      if (flags.json) {
        printJson(io, {
          dir: result.dir,
          dryRun: result.dryRun,
          kept: result.kept.map((k) => ({ archive: k.archive, createdAt: k.createdAt, reasons: k.reasons })),
          removed: result.removed.map((r) => ({ archive: r.archive, createdAt: r.createdAt, bytes: r.bytes })),
          ignored: result.ignored,
        });
        return;
      }
      if (flags.quiet) return;
      const verb = result.dryRun ? 'would remove' : 'removed';
      // One column for the action and one for the name, whatever the action's length.
      const width = Math.max('keep'.length, verb.length);
      const nameWidth = Math.max(0, ...[...result.kept, ...result.removed].map((a) => path.basename(a.archive).length));
      for (const k of result.kept)
        io.stdout.write(`${'keep'.padEnd(width)}  ${path.basename(k.archive).padEnd(nameWidth)}  (${k.reasons.join(', ')})\n`);
      for (const r of result.removed) io.stdout.write(`${verb.padEnd(width)}  ${path.basename(r.archive)}\n`);
      io.stdout.write(`${result.kept.length} kept, ${result.removed.length} ${verb} in ${result.dir}\n`);
      if (flags.verbose)
        for (const skipped of result.ignored) io.stdout.write(`not counted: ${path.basename(skipped.file)} (${skipped.reason})\n`);
    },
  );
}
