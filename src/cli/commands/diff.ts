import type { Command } from 'commander';
import { diffBackups, type BackupDiff } from '../../core/browse/diff-backups.js';
import { escapeControl } from '../../core/format.js';
import { addBrowseOptions, type BrowseFlags, ARCHIVE_ARG_HELP, readIndexArg } from '../browse-args.js';
import { printJson, type CommandIO, type GlobalOptions } from '../context.js';

function printDiff(io: CommandIO, diff: BackupDiff): void {
  const lines = [`from ${escapeControl(diff.from)}`, `to   ${escapeControl(diff.to)}`];
  for (const e of diff.added) lines.push(`+  ${escapeControl(e.path)}`);
  for (const e of diff.removed) lines.push(`-  ${escapeControl(e.path)}`);
  for (const c of diff.changed) lines.push(`M  ${escapeControl(c.path)}  (${c.what.join(', ')})`);
  const components = Object.entries(diff.byComponent).sort(([a], [b]) => a.localeCompare(b));
  for (const [component, n] of components) lines.push(`${component.padEnd(12)} +${n.added} -${n.removed} M${n.changed}`);
  lines.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function registerDiff(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('diff')
    .description('what changed between two archives: added, removed and changed entries, by component (reads the manifests)')
    .argument('<from>', ARCHIVE_ARG_HELP)
    .argument('<to>', 'the later archive, named the same ways');
  addBrowseOptions(command).action(async (from: string, to: string, flags: BrowseFlags) => {
    const a = await readIndexArg(from, flags, globals(), io);
    const b = await readIndexArg(to, flags, globals(), io);
    const diff = diffBackups(a, b);
    if (flags.json) printJson(io, diff);
    else printDiff(io, diff);
  });
}
