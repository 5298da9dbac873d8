import type { Command } from 'commander';
import { findRollbackCopies, type RollbackCopy } from '../../core/rollback/find-copies.js';
import { removeRollbackCopies } from '../../core/rollback/remove-copies.js';
import { withStateLock } from '../../core/locks/lock.js';
import { countOf, escapeControl, formatBytes, formatDuration, formatLocalTime } from '../../core/format.js';
import { UsageError } from '../../errors.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';

const HOLD_CREDENTIALS = 'each holds a previous state, credentials and keys included';

function describeCopy(copy: RollbackCopy, now: Date): string {
  const age = formatDuration(Math.max(0, now.getTime() - Date.parse(copy.createdAt)));
  return `${escapeControl(copy.path)}  ${formatLocalTime(copy.createdAt)} (${age} ago)  ${formatBytes(copy.bytes)}, ${countOf(copy.files, 'file')}`;
}

function parseKeep(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--keep: expected a non-negative integer, got "${value}"`);
  return n;
}

export function registerRollbacks(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const rollbacks = program
    .command('rollbacks')
    .description(`list the rollback copies in-place restores left beside the state dir and workspaces (${HOLD_CREDENTIALS})`)
    .option('--json', 'print one JSON array');
  rollbacks.action(async (flags: { json?: boolean }) => {
    const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
    const copies = await findRollbackCopies(paths, config.openclaw);
    if (flags.json) return printJson(io, copies);
    const now = new Date();
    if (copies.length === 0) return void io.stdout.write(`no rollback copies beside ${paths.stateDir}\n`);
    for (const copy of copies) io.stdout.write(`${describeCopy(copy, now)}\n`);
    io.stdout.write(
      `${countOf(copies.length, 'rollback copy', 'rollback copies')}, ${formatBytes(copies.reduce((n, c) => n + c.bytes, 0))}; ${HOLD_CREDENTIALS}: openclaw-backup rollbacks remove --dry-run\n`,
    );
  });
  rollbacks
    .command('remove')
    .description('delete rollback copies once the restored state works: all, or all but the newest --keep N of each dir')
    .option('--keep <n>', 'keep the newest N copies of each dir (default 0: remove all)', parseKeep)
    .option('--dry-run', 'show what would be deleted and delete nothing')
    .option('--json', 'print one JSON object: kept, removed')
    .action(async (flags: { keep?: number; dryRun?: boolean; json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      // Under the state lock: a restore holds it while it writes a rollback copy, so none is removed half made.
      const result = await withStateLock(
        paths.stateDir,
        { command: 'openclaw-backup rollbacks remove', signal: io.signal, onCompromised: (m) => io.stderr.write(`warning: ${m}\n`) },
        async () =>
          removeRollbackCopies(await findRollbackCopies(paths, config.openclaw), { keep: flags.keep ?? 0, dryRun: flags.dryRun ?? false }),
      );
      if (flags.json) return printJson(io, result);
      const now = new Date();
      const verb = result.dryRun ? 'would remove' : 'removed';
      for (const copy of result.kept) io.stdout.write(`keep          ${describeCopy(copy, now)}\n`);
      for (const copy of result.removed) io.stdout.write(`${verb.padEnd(12)}  ${describeCopy(copy, now)}\n`);
      const freed = formatBytes(result.removed.reduce((n, c) => n + c.bytes, 0));
      io.stdout.write(`${result.kept.length} kept, ${result.removed.length} ${verb} (${freed})\n`);
    });
}
