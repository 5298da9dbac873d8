import path from 'node:path';
import type { Command } from 'commander';
import { isInside } from '../../config/paths.js';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { parseRestoreSelection } from '../../core/restore/selection.js';
import { restoreArchive, type RestoreResult } from '../../core/restore/restore-archive.js';
import { FORMAT_LABELS } from '../../core/reader/archive-layout.js';
import { countOf, escapeControl } from '../../core/format.js';
import { createProgressRenderer, progressModeFor } from '../../output/progress.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import {
  addRepositoryOptions,
  addSeriesOptions,
  readRepositoryFlags,
  type RepositoryFlags,
  type SeriesFlags,
} from '../repository-options.js';
import { provenanceWarnings, readProvenanceContext } from '../../core/store/provenance.js';
import { printJson, resolveArchiveArg, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';
import { canAsk, confirm } from '../confirm.js';
import { findRollbackCopies } from '../../core/rollback/find-copies.js';
import { removeRollbackCopies } from '../../core/rollback/remove-copies.js';

interface RestoreFlags {
  only?: string;
  target?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  yes?: boolean;
}

/** Paths inside the target are shown relative to it. */
function shortPaths(target: string, files: string[]): string {
  return files.map((file) => (isInside(target, file) && file !== target ? path.relative(target, file) : file)).join(', ');
}

function printResult(io: CommandIO, r: RestoreResult, stream: NodeJS.WritableStream = io.stdout): void {
  const label = r.format ? FORMAT_LABELS[r.format] : 'archive';
  const what = r.components === 'all' ? 'everything' : r.components.join(', ');
  const lines: string[] = [];
  if (r.dryRun && r.changes) {
    const c = r.changes;
    lines.push(`Dry run: would restore ${what} from ${r.archive} (${label}) into ${r.target}`);
    const removed = r.components === 'all' ? `, ${c.removed.length} removed (moved to the rollback copy)` : '';
    const of = `${countOf(r.files, 'file')}${r.symlinks ? `, ${countOf(r.symlinks, 'symlink')}` : ''}`;
    lines.push(`  of ${of}: ${c.added.length} would be added, ${c.changed.length} changed, ${c.unchanged} unchanged${removed}`);
    if (c.carried.length) lines.push(`  carried over as they are: ${shortPaths(r.target, c.carried)}`);
    for (const file of c.changed) lines.push(`  change  ${file}`);
    for (const file of c.added) lines.push(`  add     ${file}`);
    for (const file of c.removed) lines.push(`  remove  ${file}`);
    if (c.newer.length)
      lines.push(
        `  ${countOf(c.newer.length, 'live file')} changed after the archive was made would go to the rollback copy: ${shortPaths(r.target, c.newer)}`,
      );
  } else {
    lines.push(
      `Restored ${what} from ${r.archive} (${label}): ${countOf(r.files, 'file')}${r.symlinks ? `, ${countOf(r.symlinks, 'symlink')}` : ''} into ${r.target}${r.targetLink ? ` (behind the symlink ${r.targetLink}, kept)` : ''}`,
    );
    for (const dir of r.rollback)
      lines.push(
        `  previous state moved to ${dir} (it holds credentials: remove it once the restored state works, openclaw-backup rollbacks remove)`,
      );
    if (r.carried.length) lines.push(`  carried over as they were: ${shortPaths(r.target, r.carried)}`);
  }
  for (const root of r.roots) {
    if (root.role !== 'state')
      lines.push(
        `  ${root.role} ${root.source ?? '(unknown)'} → ${root.destination} (${root.placement}${root.via ? `, behind the symlink ${root.via}` : ''})`,
      );
  }
  for (const rw of r.rewrites) lines.push(`  openclaw.json ${rw.key}: ${rw.from} → ${rw.to}`);
  if (r.permissions) {
    const { owner, privateFiles, stateDirMode } = r.permissions;
    lines.push(
      `  permissions: state dir ${stateDirMode}, ${countOf(privateFiles, 'credential/config/database file')} 0600, owned by ${owner.user} (uid ${owner.uid ?? '?'})`,
    );
  }
  for (const warning of r.warnings) lines.push(`warning: ${warning}`);
  stream.write(`${lines.map(escapeControl).join('\n')}\n`);
}

async function readLiveConfig(globals: GlobalOptions, io: CommandIO): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(resolvePaths(globals, io), { allowMissing: true });
  } catch {
    return undefined;
  }
}

export function registerRestore(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('restore')
    .description('restore an archive over the state dir (atomically, with a rollback copy), selectively, or into another dir')
    .argument(
      '<archive>',
      'a path (ours, OpenClaw-native, or a hand-made tar of .openclaw), or from this state dir: latest, a name or prefix from `list`, a snapshot id, a date (2026-11-20)',
    )
    .option(
      '--only <list>',
      "restore just these into the existing state, file by file: components (config,credentials,sessions,memory,workspace,logs,cache,state) and/or paths or globs as `ls` shows them (workspace/MEMORY.md, 'workspace/memory/**')",
    )
    .option('--target <dir>', 'restore a whole copy into DIR instead of the state dir (never the state or backups dir, or inside them)')
    .option('--dry-run', 'verify the archive and list what would be added, changed, removed and carried over; write nothing')
    .option('--force', 'allow restoring over a non-empty --target (its contents are moved to a rollback copy)')
    .option('--yes', 'on a terminal, restore in place without showing what will change and asking first')
    .option('--json', 'print one JSON object');
  addSeriesOptions(addRepositoryOptions(addDecryptOptions(command))).action(
    async (archive: string, flags: RestoreFlags & DecryptFlags & RepositoryFlags & SeriesFlags) => {
      const decrypt = await resolveDecryptKey(flags, io.env);
      const paths = resolvePaths(globals(), io);
      const only = flags.only ? parseRestoreSelection(flags.only) : undefined;
      const live = await readLiveConfig(globals(), io);
      const warn = (message: string) => io.stderr.write(`warning: ${escapeControl(message)}\n`);
      const resolved = await resolveArchiveArg(archive, globals(), io, undefined, readRepositoryFlags(flags), flags, warn);
      // Said before anything happens: a backup of another state or profile, or one this state's record does not know.
      const provenance = resolved.backup
        ? provenanceWarnings(resolved.backup, await readProvenanceContext(paths.stateDir, paths.profile))
        : [];
      for (const warning of provenance) warn(warning);
      // In place, with a person at the terminal: once the archive is read and staged, show what will change (what
      // moves to the rollback copy, what is newer than the archive) and ask before anything live changes. Scripts (no
      // terminal), --yes, --json, --target and --dry-run never ask.
      const ask = !flags.dryRun && !flags.yes && !flags.json && !flags.target && canAsk(io);
      const result = await restoreArchive({
        archive: resolved.input,
        paths,
        target: flags.target,
        only,
        dryRun: flags.dryRun ?? false,
        force: flags.force ?? false,
        openclaw: live?.openclaw,
        backupDir: live?.backupDir,
        exclude: live?.backup.exclude,
        signal: io.signal,
        decrypt,
        stateId: resolved.backup?.stateId,
        progress: createProgressRenderer({ stream: io.stderr, mode: progressModeFor(io.stderr, Boolean(flags.json)) }),
        onWarning: warn,
        confirm: ask
          ? (preview) => {
              printResult(io, preview, io.stderr);
              const what = preview.components === 'all' ? 'everything' : preview.components.join(', ');
              return confirm(io, `Restore ${what} over ${preview.target}? The files it replaces go to a rollback copy. [y/N] `);
            }
          : undefined,
      });
      const keep = live?.backup.keepRollbacks;
      if (!result.dryRun && !flags.target && keep !== undefined) {
        // backup.keepRollbacks: the copy just made counts as the newest; older ones beyond N go.
        const pruned = await removeRollbackCopies(await findRollbackCopies(paths, live?.openclaw), { keep, dryRun: false });
        for (const copy of pruned.removed)
          result.warnings.push(`removed the older rollback copy ${copy.path} (backup.keepRollbacks: ${keep})`);
      }
      if (flags.json) printJson(io, { ...result, warnings: [...provenance, ...result.warnings] });
      else printResult(io, result);
    },
  );
}
