import type { Command } from 'commander';
import { FORMAT_LABELS } from '../../core/verify/archive-layout.js';
import { integrityErrorFor, verifyArchive, type VerifyResult } from '../../core/verify/verify-archive.js';
import { formatBytes } from '../../core/format.js';
import { describeFlag } from '../../core/verify/describe-flag.js';
import { printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';

function describeFlagged(result: VerifyResult): string {
  return result.flagged.map((flag) => `  flagged: ${flag.path}: ${describeFlag(flag)}\n`).join('');
}

function describeOk(result: VerifyResult): string {
  const { files, databases, bytes } = result.checked;
  const label = `${result.format ? FORMAT_LABELS[result.format] : 'archive'}${result.encrypted ? ' (age-encrypted)' : ''}`;
  const what = `${files} files (${databases} databases passed integrity_check), ${formatBytes(bytes)}`;
  if (result.hashesChecked) return `ok: ${result.archive}\n  ${label}: ${what}, every SHA-256 matches the manifest\n`;
  const manifest = result.format === 'openclaw-native' ? 'manifest and payload structure checked' : 'no manifest';
  return `ok: ${result.archive}\n  ${label}: ${what}; ${manifest}; it carries no content hashes, so file contents could not be checked\n`;
}

export function registerVerify(program: Command, io: CommandIO, _globals: () => GlobalOptions): void {
  const command = program
    .command('verify')
    .description('check an archive: decryption, compression, tar structure, manifest, every hash, every database')
    .argument('<archive>', 'archive to verify (ours, OpenClaw-native, or a hand-made tar of .openclaw)')
    .option('--json', 'print one JSON object with every problem');
  addDecryptOptions(command)
    .action(async (archive: string, flags: DecryptFlags & { json?: boolean }) => {
      const decrypt = await resolveDecryptKey(flags, io.env);
      const result = await verifyArchive(archive, { signal: io.signal, decrypt });
      if (flags.json) printJson(io, result);
      if (!result.ok) throw integrityErrorFor(result, { reported: Boolean(flags.json) });
      if (!flags.json) io.stdout.write(describeOk(result) + describeFlagged(result));
    });
}
