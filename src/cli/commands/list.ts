import path from 'node:path';
import type { Command } from 'commander';
import { listArchives } from '../../core/catalog.js';
import { formatBytes } from '../../output/format.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';

export function registerList(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('list')
    .description("list this state dir's archives in backup.path, newest first (confirmed by the header inside each archive)")
    .option('--json', 'print a JSON array: archive, createdAt, bytes, components, encrypted, profile')
    .action(async (flags: { json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io);
      const catalog = await listArchives({ dir: config.backupDir, stateDir: paths.stateDir, profile: paths.profile });
      if (flags.json) {
        printJson(io, catalog.archives.map(({ archive, createdAt, bytes, components, encrypted, profile }) => ({ archive, createdAt, bytes, components, encrypted, profile })));
        return;
      }
      if (catalog.archives.length === 0) io.stdout.write(`No archives in ${catalog.dir}\n`);
      for (const a of catalog.archives) {
        const what = a.encrypted ? 'encrypted' : (a.components ?? []).join(',');
        io.stdout.write(`${a.createdAt}  ${formatBytes(a.bytes).padStart(10)}  ${path.basename(a.archive)}  ${what}\n`);
      }
      for (const skipped of catalog.ignored) io.stderr.write(`note: ${skipped.file} is not counted: ${skipped.reason}\n`);
    });
}
