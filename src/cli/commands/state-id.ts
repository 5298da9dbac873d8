import type { Command } from 'commander';
import { requireStateDir } from '../../config/load.js';
import { continueSeries } from '../../core/identity/carry-identity.js';
import { identityPathFor, readIdentityFile } from '../../core/identity/identity-file.js';
import { escapeControl } from '../../core/format.js';
import { printJson, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';

/**
 * `state-id`: the id that names this state's series (every snapshot carries `state:<id>`). `--continue ID` takes over
 * a series: for a state dir moved or copied here on purpose without a restore, which its first backup here gave a
 * new id (see the warning that backup printed).
 */
export function registerStateId(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  program
    .command('state-id')
    .description("show this state's id (the series its backups belong to), or take over another series with --continue")
    .option('--continue <id>', 'make this state continue that series (an id `list` shows): its next backup is part of it')
    .option('--json', 'print one JSON object')
    .action(async (flags: { continue?: string; json?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      await requireStateDir(paths.stateDir);
      if (flags.continue !== undefined) {
        const { identity, previous } = await continueSeries(paths.stateDir, flags.continue);
        if (flags.json) printJson(io, { ...identity, file: identityPathFor(paths.stateDir) });
        else
          io.stdout.write(
            `${paths.stateDir} continues series ${identity.stateId}${previous ? ` (it was ${previous}; to go back: openclaw-backup --state-dir ${paths.stateDir} state-id --continue ${previous})` : ''}\n`,
          );
        return;
      }
      const read = await readIdentityFile(paths.stateDir);
      const file = identityPathFor(paths.stateDir);
      if (flags.json) {
        printJson(
          io,
          'identity' in read
            ? { ...read.identity, file }
            : { stateId: null, file, ...('corrupt' in read ? { corrupt: read.corrupt } : {}) },
        );
        return;
      }
      if ('missing' in read) io.stdout.write(`${paths.stateDir} has no state id yet: its first backup makes one\n`);
      else if ('corrupt' in read)
        io.stdout.write(`${file} is unreadable (${escapeControl(read.corrupt)}): the next backup starts a new series\n`);
      else {
        const { identity } = read;
        const lines = [
          `state id:  ${identity.stateId}`,
          `since:     ${identity.since} (${identity.origin})`,
          `state dir: ${identity.stateDir}`,
        ];
        if (identity.previous)
          lines.push(
            `previous:  ${identity.previous.stateId} (until ${identity.previous.until}, ${escapeControl(identity.previous.reason)})`,
          );
        io.stdout.write(`${lines.join('\n')}\n`);
      }
    });
}
