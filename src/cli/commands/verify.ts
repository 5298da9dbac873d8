import type { Command } from 'commander';
import { FORMAT_LABELS } from '../../core/reader/archive-layout.js';
import { integrityErrorFor, verifyArchive, type VerifyResult } from '../../core/reader/verify-archive.js';
import { countOf, escapeControl, formatBytes } from '../../core/format.js';
import { describeFlag } from '../../core/reader/describe-flag.js';
import { createProgressRenderer, progressModeFor } from '../../output/progress.js';
import { printJson, resolveArchiveArg, type CommandIO, type GlobalOptions } from '../context.js';
import { verifyBackup } from '../../core/store/verify-backup.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import {
  addRepositoryOptions,
  addSeriesOptions,
  readRepositoryFlags,
  type RepositoryFlags,
  type SeriesFlags,
} from '../repository-options.js';

function describeFlagged(result: VerifyResult): string {
  const flagged = (result.flagged ?? []).map((flag) => `  flagged: ${flag.path}: ${describeFlag(flag)}\n`);
  const noted = (result.noted ?? []).map((note) => `  ${note.kind}: ${escapeControl(note.path)}: ${escapeControl(note.reason)}\n`);
  return [...flagged, ...noted].join('');
}

function describeOk(result: VerifyResult): string {
  const { files, databases, bytes } = result.checked;
  const label = `${result.format ? FORMAT_LABELS[result.format] : 'archive'}${result.encrypted ? ' (age-encrypted)' : ''}`;
  const what = `${countOf(files, 'file')} (${countOf(databases, 'database')} passed integrity_check), ${formatBytes(bytes)}`;
  const archive = escapeControl(result.archive);
  if (result.hashesChecked) return `ok: ${archive}\n  ${label}: ${what}, every SHA-256 matches the manifest\n`;
  const manifest = result.format === 'openclaw-native' ? 'manifest and payload structure checked' : 'no manifest';
  return `ok: ${archive}\n  ${label}: ${what}; ${manifest}; it carries no content hashes, so file contents could not be checked\n`;
}

export function registerVerify(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const command = program
    .command('verify')
    .description('check an archive: decryption, compression, tar structure, manifest, every hash, every database')
    .argument(
      '<archive>',
      'a path (ours, OpenClaw-native, or a hand-made tar of .openclaw), or from this state dir: latest, a name or prefix from `list`, a snapshot id, a date (2026-11-20)',
    )
    .option('--json', 'print one JSON object with every problem');
  addSeriesOptions(addRepositoryOptions(addDecryptOptions(command))).action(
    async (archive: string, flags: DecryptFlags & RepositoryFlags & SeriesFlags & { json?: boolean }) => {
      const decrypt = await resolveDecryptKey(flags, io.env);
      const progress = createProgressRenderer({ stream: io.stderr, mode: progressModeFor(io.stderr, Boolean(flags.json)) });
      const resolved = await resolveArchiveArg(archive, globals(), io, undefined, readRepositoryFlags(flags), flags);
      const options = { signal: io.signal, decrypt, progress };
      const result =
        resolved.store && resolved.backup
          ? await verifyBackup(resolved.store, resolved.backup, options)
          : await verifyArchive(resolved.input, options);
      if (flags.json) printJson(io, result);
      if (!result.ok) throw integrityErrorFor(result, { reported: Boolean(flags.json) });
      if (!flags.json) io.stdout.write(describeOk(result) + describeFlagged(result));
    },
  );
}
