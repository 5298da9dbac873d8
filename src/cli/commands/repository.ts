import type { Command } from 'commander';
import { openStore } from '../../core/store/open-store.js';
import { loadContext, printJson, type CommandIO, storeIO, type GlobalOptions } from '../context.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';

/** `repository init`: creates the restic repository backup.repository (or --repository) names. */
export function registerRepository(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const repository = program.command('repository').description('manage the restic repository backups go to (backup.repository)');
  const init = repository
    .command('init')
    .description('initialise the repository (restic init with its password); nothing happens when it exists already')
    .option('--json', 'print one JSON object: repository, created');
  addRepositoryOptions(init).action(async (flags: RepositoryFlags & { json?: boolean }) => {
    const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
    const store = await openStore(paths, config, { repository: repositoryFlags(flags), ...storeIO(io) });
    const { created } = await store.init({ signal: io.signal });
    if (flags.json) printJson(io, { repository: store.location, created });
    else
      io.stdout.write(
        created ? `Initialised restic repository ${store.location}\n` : `Repository ${store.location} is already initialised\n`,
      );
  });
}
