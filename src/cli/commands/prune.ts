import path from 'node:path';
import type { Command } from 'commander';
import { withStateLock } from '../../core/lock.js';
import { pruneBackups } from '../../core/prune.js';
import { openStore } from '../../core/store/open-store.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

export function registerPrune(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('prune')
    .description("apply backup.retention to this state dir's archives now (the newest is always kept)")
    .option('--dry-run', 'show what would be deleted and delete nothing')
    .option('--json', 'print one JSON object: kept (with reasons), removed, ignored');
  addRepositoryOptions(command)
    .action(async (flags: RepositoryFlags & { dryRun?: boolean; json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), env: io.env });
      const result = await withStateLock(paths.stateDir, { command: 'openclaw-backup prune', signal: io.signal }, () =>
        pruneBackups(store, { retention: config.backup.retention, timeZone: config.backup.timezone, dryRun: flags.dryRun ?? false }),
      );
      if (flags.json) {
        printJson(io, {
          dir: result.dir, dryRun: result.dryRun,
          kept: result.kept.map((k) => ({ archive: k.archive, createdAt: k.createdAt, reasons: k.reasons })),
          removed: result.removed.map((r) => ({ archive: r.archive, createdAt: r.createdAt, bytes: r.bytes })),
          ignored: result.ignored,
        });
        return;
      }
      const verb = result.dryRun ? 'would remove' : 'removed';
      for (const k of result.kept) io.stdout.write(`keep    ${path.basename(k.archive)}  (${k.reasons.join(', ')})\n`);
      for (const r of result.removed) io.stdout.write(`${result.dryRun ? 'would remove' : 'remove '} ${path.basename(r.archive)}\n`);
      io.stdout.write(`${result.kept.length} kept, ${result.removed.length} ${verb} in ${result.dir}\n`);
    });
}
