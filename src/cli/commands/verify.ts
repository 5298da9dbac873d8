import type { Command } from 'commander';
import { IntegrityError } from '../../core/errors.js';
import { verifyArchive } from '../../core/verify/verify-archive.js';
import { formatBytes } from '../../output/format.js';
import { printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';

export function registerVerify(program: Command, io: CommandIO, _globals: () => GlobalOptions): void {
  const command = program
    .command('verify')
    .description('check an archive: decryption, compression, tar structure, manifest, every hash, every database')
    .argument('<archive>', 'archive to verify')
    .option('--json', 'print one JSON object with every problem');
  addDecryptOptions(command)
    .action(async (archive: string, flags: DecryptFlags & { json?: boolean }) => {
      const decrypt = await resolveDecryptKey(flags, io.env);
      const result = await verifyArchive(archive, { signal: io.signal, decrypt });
      if (flags.json) printJson(io, result);
      if (!result.ok) {
        const first = result.problems[0];
        throw new IntegrityError(first ? `${first.path}: ${first.reason}` : `${archive} did not verify`, { details: { reported: Boolean(flags.json) } });
      }
      if (!flags.json) {
        io.stdout.write(
          `ok: ${archive}${result.encrypted ? ' (age-encrypted)' : ''}\n  ${result.checked.files} files (${result.checked.databases} databases passed integrity_check), ${formatBytes(result.checked.bytes)}, every SHA-256 matches the manifest\n`,
        );
      }
    });
}
