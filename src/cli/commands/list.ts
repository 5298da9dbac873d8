import type { Command } from 'commander';
import { openStore } from '../../core/store/open-store.js';
import { UsageError } from '../../errors.js';
import { escapeControl } from '../../core/format.js';
import { readProvenanceContext } from '../../core/store/provenance.js';
import { describeState } from '../../core/store/resolve-backup.js';
import type { BackupListing } from '../../core/store/types.js';
import { loadReadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import { listRows, renderRows, type ListRow } from '../list-rows.js';
import {
  addRepositoryOptions,
  addSeriesOptions,
  readRepositoryFlags,
  seriesSelector,
  type RepositoryFlags,
  type SeriesFlags,
} from '../repository-options.js';

function toJson({ backup, madeHere }: ListRow) {
  const { archive, createdAt, bytes, components, encrypted, profile, unreadable, snapshot, repository } = backup;
  return {
    archive,
    createdAt,
    bytes,
    components,
    encrypted,
    profile,
    ...(unreadable ? { unreadable } : {}),
    ...(snapshot ? { snapshot, repository, stateId: backup.stateId ?? null, hostname: backup.hostname ?? null } : {}),
    ...(backup.sizeUnknown ? { sizeUnknown: true } : {}),
    ...(backup.suspect ? { suspect: backup.suspect } : {}),
    ...(snapshot && madeHere !== undefined ? { madeHere } : {}),
  };
}

/** Whose snapshots a repository-wide listing shows, and how to choose among them. */
function describeScope(listing: BackupListing): string | undefined {
  const scope = listing.scope;
  if (scope?.kind !== 'repository' || scope.why !== 'no-series') return undefined;
  const states = scope.states.map(describeState).join('; ');
  if (scope.states.length === 0) return undefined;
  return `this state has no snapshots in ${listing.location}; showing every state's: ${states}${scope.states.length > 1 ? '; choose one with --state-id ID, --host NAME or --profile NAME' : ''}`;
}

export function registerList(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('list')
    .description(
      "list this state dir's backups, newest first: archives in backup.path (confirmed by the header inside each), or this state's snapshots in backup.repository (every state's when it has none there: a new machine)",
    )
    .option(
      '--json',
      'print a JSON array: archive, createdAt, bytes, components, encrypted, profile (and snapshot, repository, stateId, hostname, suspect, madeHere)',
    )
    .option(
      '--details',
      'also read the header inside encrypted archives (with --identity or --passphrase-file; unencrypted ones need no key)',
    );
  addSeriesOptions(addRepositoryOptions(addDecryptOptions(command))).action(
    async (flags: DecryptFlags & RepositoryFlags & SeriesFlags & { json?: boolean; details?: boolean }) => {
      const repository = readRepositoryFlags(flags);
      const { paths, config } = await loadReadContext(globals(), io, repository);
      const decrypt = flags.details ? await resolveDecryptKey(flags, io.env) : undefined;
      const store = await openStore(paths, config, { repository, ...storeIO(io) });
      const catalog = await store.list({ decrypt, browse: true, select: seriesSelector(flags, paths) });
      // Unencrypted archives show their details without a key; only encrypted ones need one.
      if (flags.details && !decrypt && catalog.archives.some((a) => a.encrypted)) {
        throw new UsageError('--details: pass --identity or --passphrase-file to read inside encrypted archives');
      }
      const rows = listRows(catalog, await readProvenanceContext(paths.stateDir, paths.profile));
      if (flags.json) {
        printJson(io, rows.map(toJson));
        return;
      }
      const scope = describeScope(catalog);
      if (scope) io.stderr.write(`note: ${escapeControl(scope)}\n`);
      if (rows.length === 0) io.stdout.write(`No archives in ${catalog.location}\n`);
      else io.stdout.write(renderRows(rows, catalog));
      for (const skipped of catalog.ignored)
        io.stderr.write(`note: ${escapeControl(`${skipped.file} is not counted: ${skipped.reason}`)}\n`);
      for (const suspect of catalog.suspect ?? [])
        io.stderr.write(
          `warning: ${escapeControl(`${suspect.archive} is ${suspect.suspect ?? 'suspect'}: never latest, not counted by retention or freshness; check where it came from`)}\n`,
        );
    },
  );
}
