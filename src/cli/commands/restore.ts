import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { parseComponentList } from '../../core/components.js';
import { restoreArchive, type RestoreResult } from '../../core/restore/restore-archive.js';
import { FORMAT_LABELS } from '../../core/verify/archive-layout.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';
import { printJson, resolveArchiveArg, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

interface RestoreFlags {
  only?: string;
  target?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

function printResult(io: CommandIO, r: RestoreResult): void {
  const label = r.format ? FORMAT_LABELS[r.format] : 'archive';
  const what = r.components === 'all' ? 'everything' : r.components.join(', ');
  const lines: string[] = [];
  if (r.dryRun) {
    lines.push(`Dry run: would restore ${what} from ${r.archive} (${label}) into ${r.target}`);
    lines.push(`  ${r.changes?.added.length ?? 0} files would be created, ${r.changes?.replaced.length ?? 0} replaced`);
    for (const file of r.changes?.replaced ?? []) lines.push(`  replace ${file}`);
    for (const file of r.changes?.added ?? []) lines.push(`  create  ${file}`);
  } else {
    lines.push(`Restored ${what} from ${r.archive} (${label}): ${r.files} files into ${r.target}`);
    for (const dir of r.rollback) lines.push(`  previous state moved to ${dir} (remove it once the restored state works)`);
  }
  for (const root of r.roots) if (root.role !== 'state') lines.push(`  ${root.role} ${root.source ?? '(unknown)'} → ${root.destination} (${root.placement})`);
  for (const rw of r.rewrites) lines.push(`  openclaw.json ${rw.key}: ${rw.from} → ${rw.to}`);
  if (r.permissions) {
    const { owner, privateFiles, stateDirMode } = r.permissions;
    lines.push(`  permissions: state dir ${stateDirMode}, ${privateFiles} credential/config/database files 0600, owned by ${owner.user} (uid ${owner.uid ?? '?'})`);
  }
  for (const warning of r.warnings) lines.push(`warning: ${warning}`);
  io.stdout.write(`${lines.join('\n')}\n`);
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
    .argument('<archive>', 'a path (ours, OpenClaw-native, or a hand-made tar of .openclaw), or from this state dir: latest, a name or prefix from `list`, a snapshot id, a date (2026-11-20)')
    .option('--only <components>', 'restore just these components into the existing state: config,credentials,sessions,memory,workspace,logs,cache,state')
    .option('--target <dir>', 'restore a whole copy into DIR instead of the state dir')
    .option('--dry-run', 'verify the archive and list what would change; write nothing')
    .option('--force', 'allow restoring over a non-empty --target (its contents are moved to a rollback copy)')
    .option('--json', 'print one JSON object');
  addRepositoryOptions(addDecryptOptions(command))
    .action(async (archive: string, flags: RestoreFlags & DecryptFlags & RepositoryFlags) => {
      const decrypt = await resolveDecryptKey(flags, io.env);
      const paths = resolvePaths(globals(), io);
      const only = flags.only ? parseComponentList(flags.only) : undefined;
      const live = await readLiveConfig(globals(), io);
      const resolved = await resolveArchiveArg(archive, globals(), io, undefined, repositoryFlags(flags));
      const result = await restoreArchive({
        archive: resolved.input, paths, target: flags.target, only, dryRun: flags.dryRun ?? false, force: flags.force ?? false,
        openclaw: live?.openclaw, backupDir: live?.backupDir, signal: io.signal, decrypt,
      });
      if (flags.json) printJson(io, result);
      else printResult(io, result);
    });
}
