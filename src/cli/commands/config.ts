import type { Command } from 'commander';
import { formatChanges } from '../../core/config-io/diff-summary.js';
import { exportConfig } from '../../core/config-io/export-config.js';
import { importConfig, parseConfigDocument, type ImportConfigResult } from '../../core/config-io/import-config.js';
import { SECRET_PLACEHOLDER } from '../../core/config-io/secrets.js';
import { printJson, resolvePaths, type CommandIO, type GlobalOptions } from '../context.js';
import { readDocumentInput, writeDocumentOutput } from '../document-io.js';

function printImport(io: CommandIO, result: ImportConfigResult, configPath: string, dryRun: boolean): void {
  const head = dryRun
    ? `Dry run: ${configPath} would change in ${result.changes.length} place(s)`
    : `Imported ${configPath}: ${result.changes.length} change(s)`;
  io.stdout.write(`${head}\n`);
  for (const line of formatChanges(result.changes)) io.stdout.write(`${line}\n`);
  if (result.keptSecrets.length) io.stdout.write(`  kept current secrets: ${result.keptSecrets.join(', ')}\n`);
  if (result.auth) {
    io.stdout.write(
      `  auth: ${result.auth.stateDbRows} state database row(s), agents [${result.auth.agents.join(', ')}], ${result.auth.credentials} credential file(s)${dryRun ? ' would be written' : ' written'}\n`,
    );
  }
  if (result.backup) io.stdout.write(`  previous config kept as ${result.backup}\n`);
}

export function registerConfig(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const config = program
    .command('config')
    .description('export and import the OpenClaw config (and with --full, credentials and auth profiles)');

  config
    .command('export')
    .description(`print the active config as a versioned JSON document; secrets become "${SECRET_PLACEHOLDER}"`)
    .option('--include-secrets', 'keep the real secret values')
    .option('--full', 'add credentials and auth profiles (state database, agent stores, credentials/); implies --include-secrets')
    .option('-o, --output <file>', 'write the document to FILE (mode 0600) instead of stdout')
    .action(async (flags: { includeSecrets?: boolean; full?: boolean; output?: string }) => {
      const paths = resolvePaths(globals(), io);
      const full = flags.full ?? false;
      if (full) io.stderr.write('note: --full includes secrets (API keys, tokens, credentials) in clear text; keep the document private\n');
      else if (flags.includeSecrets) io.stderr.write('note: --include-secrets: the document holds real secret values\n');
      const document = await exportConfig({ paths, includeSecrets: flags.includeSecrets ?? false, full });
      await writeDocumentOutput(document, flags.output, io);
    });

  config
    .command('import')
    .description(
      'replace openclaw.json with a document from config export (old file kept in the .bak ring; auth stores need the gateway stopped)',
    )
    .argument('[file]', 'document to import, "-" or nothing for stdin')
    .option('--dry-run', 'validate and show which keys would change; write nothing')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, flags: { dryRun?: boolean; json?: boolean }) => {
      const paths = resolvePaths(globals(), io);
      const input = await readDocumentInput(file, io);
      const doc = parseConfigDocument(input.text, input.source);
      const dryRun = flags.dryRun ?? false;
      const result = await importConfig({ paths, doc, dryRun, onWarning: (message) => io.stderr.write(`warning: ${message}\n`) });
      if (flags.json) printJson(io, { dryRun, configPath: paths.configPath, ...result });
      else printImport(io, result, paths.configPath, dryRun);
    });
}
