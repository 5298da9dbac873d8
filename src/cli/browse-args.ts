import type { Command } from 'commander';
import { readBackupIndex } from '../core/browse/read-index.js';
import type { BackupIndex } from '../core/browse/index-types.js';
import { resolveArchiveArg, type CommandIO, type GlobalOptions } from './context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from './key-options.js';
import {
  addRepositoryOptions,
  addSeriesOptions,
  readRepositoryFlags,
  type RepositoryFlags,
  type SeriesFlags,
} from './repository-options.js';

export const ARCHIVE_ARG_HELP = 'a path, or from this state dir: latest, a name or prefix from `list`, a snapshot id, a date (2026-11-20)';

/** --json, the decrypt and the repository options every browse command takes. */
export function addBrowseOptions(command: Command): Command {
  return addSeriesOptions(addRepositoryOptions(addDecryptOptions(command.option('--json', 'print JSON'))));
}

export type BrowseFlags = DecryptFlags & RepositoryFlags & SeriesFlags & { json?: boolean };

/** Resolves an archive argument and reads its index (manifest or tar headers), decrypting with the flags' key. */
export async function readIndexArg(
  ref: string,
  flags: DecryptFlags & RepositoryFlags & SeriesFlags,
  globals: GlobalOptions,
  io: CommandIO,
  options: { storedSize?: boolean } = {},
): Promise<BackupIndex> {
  const decrypt = await resolveDecryptKey(flags, io.env);
  const resolved = await resolveArchiveArg(ref, globals, io, undefined, readRepositoryFlags(flags), flags);
  return readBackupIndex(resolved.input, { decrypt, signal: io.signal, storedSize: options.storedSize });
}
