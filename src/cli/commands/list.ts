import path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../../core/store/open-store.js';
import { UsageError } from '../../errors.js';
import { formatBytes } from '../../core/format.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

export function registerList(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('list')
    .description("list this state dir's backups, newest first: archives in backup.path (confirmed by the header inside each), or snapshots in backup.repository")
    .option('--json', 'print a JSON array: archive, createdAt, bytes, components, encrypted, profile (and snapshot, repository)')
    .option('--details', 'also read the header inside encrypted archives (with --identity or --passphrase-file)');
  addRepositoryOptions(addDecryptOptions(command))
    .action(async (flags: DecryptFlags & RepositoryFlags & { json?: boolean; details?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const decrypt = flags.details ? await resolveDecryptKey(flags, io.env) : undefined;
      if (flags.details && !decrypt) throw new UsageError('--details: pass --identity or --passphrase-file to read inside encrypted archives');
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), env: io.env });
      const catalog = await store.list({ decrypt });
      if (flags.json) {
        printJson(io, catalog.archives.map(({ archive, createdAt, bytes, components, encrypted, profile, unreadable, snapshot, repository }) => ({
          archive, createdAt, bytes, components, encrypted, profile, ...(unreadable ? { unreadable } : {}), ...(snapshot ? { snapshot, repository } : {}),
        })));
        return;
      }
      if (catalog.archives.length === 0) io.stdout.write(`No archives in ${catalog.location}\n`);
      for (const a of catalog.archives) {
        const parts = a.components ? a.components.join(',') : 'encrypted';
        const what = a.unreadable ? `encrypted (cannot read: ${a.unreadable})` : a.encrypted && a.components ? `${parts} (encrypted)` : parts;
        io.stdout.write(`${a.createdAt}  ${formatBytes(a.bytes).padStart(10)}  ${path.basename(a.archive)}  ${what}\n`);
      }
      for (const skipped of catalog.ignored) io.stderr.write(`note: ${skipped.file} is not counted: ${skipped.reason}\n`);
    });
}
