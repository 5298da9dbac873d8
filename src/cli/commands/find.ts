import path from 'node:path';
import type { Command } from 'commander';
import { findInBackups } from '../../core/browse/find-entries.js';
import { PATTERN_HINT } from '../../core/browse/list-entries.js';
import { countOf, escapeControl, formatLocalTime } from '../../core/format.js';
import { KEY_NEEDED } from '../../core/crypto/keys.js';
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
    .argument('<pattern>', `a glob: ${PATTERN_HINT}`);
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
    if (result.found.length === 0) io.stderr.write(`hint: ${PATTERN_HINT}; \`openclaw-backup ls latest\` lists the paths\n`);
    const encrypted = result.skipped.filter((s) => s.reason === KEY_NEEDED);
    if (encrypted.length > 0)
      io.stderr.write(
        `note: ${countOf(encrypted.length, 'encrypted archive')} not searched, the newest ${path.basename(encrypted[0]!.archive)}: pass --identity FILE or --passphrase-file FILE\n`,
      );
    for (const skipped of result.skipped.filter((s) => s.reason !== KEY_NEEDED))
      io.stderr.write(`note: ${path.basename(skipped.archive)} not searched: ${escapeControl(skipped.reason)}\n`);
  });
}
