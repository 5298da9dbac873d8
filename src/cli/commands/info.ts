import type { Command } from 'commander';
import { describeBackup, type BackupInfo } from '../../core/browse/describe-backup.js';
import { escapeControl, formatBytes, formatDuration, formatLocalTime } from '../../core/format.js';
import { FORMAT_LABELS } from '../../core/reader/archive-layout.js';
import { addBrowseOptions, type BrowseFlags, ARCHIVE_ARG_HELP, readIndexArg } from '../browse-args.js';
import { printJson, type CommandIO, type GlobalOptions } from '../context.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function printInfo(io: CommandIO, info: BackupInfo): void {
  const rows: Array<[string, string]> = [
    ['archive', escapeControl(info.archive)],
    ['format', `${FORMAT_LABELS[info.format]}, ${info.compression}${info.encrypted ? ', age-encrypted' : ''}`],
    ['created', info.createdAt ? `${formatLocalTime(info.createdAt)} (${info.createdAt})` : 'unknown'],
    ['host', escapeControl(info.host ?? 'unknown')],
    ['profile', escapeControl(info.profile ?? 'unknown')],
    ['state dir', escapeControl(info.stateDir ?? 'unknown')],
    ['OpenClaw', escapeControl(info.openclawVersion ?? 'unknown')],
    ['components', info.components ? info.components.join(', ') : 'unknown (not recorded by this format)'],
    [
      'contents',
      `${plural(info.files, 'file')} (${plural(info.databases, 'database')}), ${plural(info.directories, 'directory').replace('directorys', 'directories')}, ${plural(info.symlinks, 'symlink')}`,
    ],
    [
      'size',
      `${formatBytes(info.contentBytes)} of content${info.storedBytes !== null ? `, ${formatBytes(info.storedBytes)} stored` : ''}${info.ratio !== null ? ` (${(info.ratio * 100).toFixed(1)}%)` : ''}`,
    ],
    ['duration', info.durationMs !== null ? formatDuration(info.durationMs) : 'unknown'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const warning of info.warnings) lines.push(`warning: ${escapeControl(warning)}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function registerInfo(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('info')
    .description('describe an archive: host, profile, OpenClaw version, components, files, sizes, ratio, duration, encryption')
    .argument('<archive>', ARCHIVE_ARG_HELP);
  addBrowseOptions(command).action(async (archive: string, flags: BrowseFlags) => {
    const info = describeBackup(await readIndexArg(archive, flags, globals(), io, { storedSize: true }));
    if (flags.json) printJson(io, info);
    else printInfo(io, info);
  });
}
