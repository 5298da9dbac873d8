import path from 'node:path';
import type { Command } from 'commander';
import { findInBackups } from '../../core/browse/find-entries.js';
import { escapeControl, formatLocalTime } from '../../core/format.js';
import { openStore } from '../../core/store/open-store.js';
import { formatEntryLine } from './ls.js';
import { addBrowseOptions, type BrowseFlags } from '../browse-args.js';
import { repositoryFlags } from '../repository-options.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { resolveDecryptKey } from '../key-options.js';

export function registerFind(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('find')
    .description('search every archive of this state dir for entries matching a glob, newest first ("which backup still has my note?")')
    .argument('<pattern>', 'a glob: matched against the base name, or against the whole path when it holds a "/" (** crosses dirs)');
  addBrowseOptions(command).action(async (pattern: string, flags: BrowseFlags) => {
    const decrypt = await resolveDecryptKey(flags, io.env);
    const { paths, config } = await loadContext(globals(), io);
    const store = await openStore(paths, config, { repository: repositoryFlags(flags), ...storeIO(io) });
    const result = await findInBackups(store, pattern, { decrypt, signal: io.signal });
    if (flags.json) {
      printJson(io, result);
      return;
    }
    const lines: string[] = [];
    for (const found of result.found) {
      lines.push(`${path.basename(found.archive)}  (${formatLocalTime(found.createdAt)})`);
      for (const entry of found.matches) lines.push(`  ${formatEntryLine(entry)}`);
    }
    if (result.found.length === 0) lines.push(`no archive in ${result.location} holds an entry matching ${escapeControl(pattern)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    for (const skipped of result.skipped)
      io.stderr.write(`note: ${path.basename(skipped.archive)} not searched: ${escapeControl(skipped.reason)}\n`);
  });
}
