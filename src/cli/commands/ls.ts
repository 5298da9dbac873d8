import type { Command } from 'commander';
import { listEntries } from '../../core/browse/list-entries.js';
import type { IndexEntry } from '../../core/browse/index-types.js';
import { escapeControl, formatBytes, formatLocalTime, formatMode } from '../../core/format.js';
import { addBrowseOptions, type BrowseFlags, ARCHIVE_ARG_HELP, readIndexArg } from '../browse-args.js';
import { printJson, type CommandIO, type GlobalOptions } from '../context.js';

export function formatEntryLine(entry: IndexEntry): string {
  const size = entry.type === 'file' ? formatBytes(entry.size) : '';
  const link = entry.type === 'symlink' ? ` -> ${escapeControl(entry.target ?? '')}` : '';
  return `${formatMode(entry.type, entry.mode)}  ${size.padStart(10)}  ${formatLocalTime(entry.mtime)}  ${escapeControl(entry.path)}${link}`;
}

export function registerLs(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('ls')
    .description('list what an archive holds (names, sizes, modes, times), below PATH if given; reads the manifest, extracts nothing')
    .argument('<archive>', ARCHIVE_ARG_HELP)
    .argument('[path]', "a path inside the backup, relative to the state dir (workspace/memory), or an outside root's absolute path");
  addBrowseOptions(command).action(async (archive: string, at: string | undefined, flags: BrowseFlags) => {
    const index = await readIndexArg(archive, flags, globals(), io);
    const entries = listEntries(index, at);
    if (flags.json) {
      printJson(io, { archive: index.archive, format: index.format, entries });
      return;
    }
    io.stdout.write(`${entries.map(formatEntryLine).join('\n')}\n`);
  });
}
