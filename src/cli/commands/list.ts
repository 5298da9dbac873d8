import path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../../core/store/open-store.js';
import { UsageError } from '../../errors.js';
import { escapeControl, formatBytes, formatLocalTime } from '../../core/format.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

export function registerList(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('list')
    .description(
      "list this state dir's backups, newest first: archives in backup.path (confirmed by the header inside each), or snapshots in backup.repository",
    )
    .option('--json', 'print a JSON array: archive, createdAt, bytes, components, encrypted, profile (and snapshot, repository)')
    .option(
      '--details',
      'also read the header inside encrypted archives (with --identity or --passphrase-file; unencrypted ones need no key)',
    );
  addRepositoryOptions(addDecryptOptions(command)).action(
    async (flags: DecryptFlags & RepositoryFlags & { json?: boolean; details?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const decrypt = flags.details ? await resolveDecryptKey(flags, io.env) : undefined;
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), ...storeIO(io) });
      const catalog = await store.list({ decrypt });
      // Unencrypted archives show their details without a key; only encrypted ones need one.
      if (flags.details && !decrypt && catalog.archives.some((a) => a.encrypted)) {
        throw new UsageError('--details: pass --identity or --passphrase-file to read inside encrypted archives');
      }
      if (flags.json) {
        printJson(
          io,
          catalog.archives.map(({ archive, createdAt, bytes, components, encrypted, profile, unreadable, snapshot, repository }) => ({
            archive,
            createdAt,
            bytes,
            components,
            encrypted,
            profile,
            ...(unreadable ? { unreadable } : {}),
            ...(snapshot ? { snapshot, repository } : {}),
          })),
        );
        return;
      }
      if (catalog.archives.length === 0) io.stdout.write(`No archives in ${catalog.location}\n`);
      else {
        // Local times for people; --json keeps the ISO times (UTC) for scripts.
        const names = catalog.archives.map((a) => path.basename(a.archive));
        const width = Math.max('archive'.length, ...names.map((n) => n.length));
        io.stdout.write(`${'created (local)'.padEnd(19)}  ${'size'.padStart(10)}  ${'archive'.padEnd(width)}  components\n`);
        catalog.archives.forEach((a, i) => {
          const parts = a.components ? a.components.join(',') : 'encrypted';
          const what = a.unreadable
            ? `encrypted (cannot read: ${a.unreadable})`
            : a.encrypted && a.components
              ? `${parts} (encrypted)`
              : parts;
          io.stdout.write(
            `${escapeControl(`${formatLocalTime(a.createdAt).padEnd(19)}  ${formatBytes(a.bytes).padStart(10)}  ${(names[i] as string).padEnd(width)}  ${what}`)}\n`,
          );
        });
      }
      for (const skipped of catalog.ignored)
        io.stderr.write(`note: ${escapeControl(`${skipped.file} is not counted: ${skipped.reason}`)}\n`);
    },
  );
}
