import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { exportSessions } from '../../core/sessions/export-sessions.js';
import { listSessions } from '../../core/sessions/list-sessions.js';
import { escapeControl, formatLocalTime } from '../../core/format.js';
import { importSessions, parseSessionsDocument, type AgentImportResult } from '../../core/sessions/import-sessions.js';
import type { OnConflict } from '../../core/sessions/conflicts.js';
import { loadContext, printJson, type CommandIO, type GlobalOptions } from '../context.js';
import { readDocumentInput, writeDocumentOutput } from '../document-io.js';

const ON_CONFLICT = ['skip', 'replace', 'fail'] as const;

function printImport(io: CommandIO, results: AgentImportResult[], dryRun: boolean): void {
  const verb = dryRun ? 'would import' : 'imported';
  for (const r of results) {
    io.stdout.write(`agent ${r.agentId} (${r.layout}${r.created ? ', new store' : ''}): ${verb} ${r.imported.length} session(s)\n`);
    for (const key of r.imported) io.stdout.write(`  ${r.replaced.includes(key) ? 'replace' : 'add'}  ${key}\n`);
    for (const key of r.skipped) io.stdout.write(`  skip  ${key} (exists)\n`);
  }
}

export function registerSessions(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const sessions = program.command('sessions').description('export and import OpenClaw sessions (entries and full transcripts) as JSON');

  sessions
    .command('list')
    .description('list the sessions of this state (key, agent, last update, transcript events), newest first; read-only')
    .option('--agent <id>', 'only this agent')
    .option('--json', 'print a JSON array')
    .action(async (flags: { agent?: string; json?: boolean }) => {
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const found = listSessions({ stateDir: paths.stateDir, openclaw: config.openclaw, agent: flags.agent });
      if (flags.json) {
        printJson(io, found);
        return;
      }
      if (found.length === 0) {
        io.stdout.write(`No sessions in ${paths.stateDir}\n`);
        return;
      }
      const width = Math.max(3, ...found.map((s) => s.key.length));
      io.stdout.write(`${'KEY'.padEnd(width)}  AGENT  ${'UPDATED'.padEnd(19)}  EVENTS\n`);
      for (const s of found) {
        io.stdout.write(
          `${escapeControl(s.key).padEnd(width)}  ${escapeControl(s.agentId).padEnd(5)}  ${formatLocalTime(s.updatedAt).padEnd(19)}  ${String(s.events).padStart(6)}\n`,
        );
      }
    });

  sessions
    .command('export')
    .description('print sessions as one versioned JSON document (SQLite or legacy store, read-only, safe while the gateway runs)')
    .argument('[keys...]', 'session keys, e.g. agent:main:main')
    .option('--all', 'export every session')
    .option('--agent <id>', 'only this agent')
    .option('-o, --output <file>', 'write the document to FILE (mode 0600) instead of stdout')
    .action(async (keys: string[], flags: { all?: boolean; agent?: string; output?: string }) => {
      if (flags.all && keys.length) throw new UsageError('give session keys or --all, not both');
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const document = exportSessions({
        stateDir: paths.stateDir,
        openclaw: config.openclaw,
        keys,
        all: flags.all ?? false,
        agent: flags.agent,
      });
      await writeDocumentOutput(document, flags.output, io);
    });

  sessions
    .command('import')
    .description('write the sessions of a document into this state, in its store format, in one transaction (gateway must be stopped)')
    .argument('[file]', 'document to import, "-" or nothing for stdin')
    .option('--agent <id>', 'import into this agent instead of the one each session came from')
    .option('--on-conflict <mode>', 'when a session key already exists: skip, replace or fail', 'fail')
    .option('--dry-run', 'check the document and show what would be imported; write nothing')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, flags: { agent?: string; onConflict: string; dryRun?: boolean; json?: boolean }) => {
      if (!(ON_CONFLICT as readonly string[]).includes(flags.onConflict)) {
        throw new UsageError(`--on-conflict: expected skip, replace or fail, got "${flags.onConflict}"`);
      }
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const input = await readDocumentInput(file, io);
      const doc = parseSessionsDocument(input.text, input.source);
      const dryRun = flags.dryRun ?? false;
      const results = await importSessions({
        stateDir: paths.stateDir,
        openclaw: config.openclaw,
        doc,
        agent: flags.agent,
        onConflict: flags.onConflict as OnConflict,
        dryRun,
      });
      if (flags.json) printJson(io, { dryRun, agents: results });
      else printImport(io, results, dryRun);
    });
}
