import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { exportSessions } from '../../core/sessions/export-sessions.js';
import { exportBackupSessions, listBackupSessions } from '../../core/sessions/from-backup.js';
import { listSessions } from '../../core/sessions/list-sessions.js';
import { importSessions, parseSessionsDocument } from '../../core/sessions/import-sessions.js';
import { restoreSessions } from '../../core/sessions/restore-sessions.js';
import { sessionHistory } from '../../core/sessions/session-history.js';
import type { OnConflict } from '../../core/sessions/conflicts.js';
import type { ReadBackupOptions } from '../../core/sessions/read-backup.js';
import { openStore } from '../../core/store/open-store.js';
import { ARCHIVE_ARG_HELP } from '../browse-args.js';
import { loadContext, printJson, resolveArchiveArg, type CommandIO, type GlobalOptions } from '../context.js';
import { readDocumentInput, writeDocumentOutput } from '../document-io.js';
import { addDecryptOptions, resolveDecryptKey, type DecryptFlags } from '../key-options.js';
import { addRepositoryOptions, repositoryFlags, type RepositoryFlags } from '../repository-options.js';
import { historyFailure, printHistory, printImport, printRestore, printSessionTable } from './sessions-output.js';

const ON_CONFLICT = ['skip', 'replace', 'fail'] as const;
type BackupFlags = DecryptFlags & RepositoryFlags & { from?: string };

function onConflictOf(value: string): OnConflict {
  if (!(ON_CONFLICT as readonly string[]).includes(value))
    throw new UsageError(`--on-conflict: expected skip, replace or fail, got "${value}"`);
  return value as OnConflict;
}

/** --from BACKUP with the key and repository options that reach it. */
function addFromOptions(command: Command, required = false): Command {
  const from = `read the sessions of this backup instead of the live state: ${ARCHIVE_ARG_HELP}`;
  if (required) command.requiredOption('--from <backup>', from);
  else command.option('--from <backup>', from);
  return addRepositoryOptions(addDecryptOptions(command));
}

/** The backup --from names, and the key to read it with; the key and repository flags mean nothing without it. */
async function openFrom(flags: BackupFlags, globals: GlobalOptions, io: CommandIO): Promise<Omit<ReadBackupOptions, 'agents'>> {
  const from = flags.from as string;
  const decrypt = await resolveDecryptKey(flags, io.env);
  const resolved = await resolveArchiveArg(from, globals, io, undefined, repositoryFlags(flags));
  return { input: resolved.input, backup: resolved.backup, decrypt, signal: io.signal };
}

function assertNoBackupFlags(flags: BackupFlags): void {
  const given = [
    flags.identity?.length && '--identity',
    flags.passphraseFile && '--passphrase-file',
    flags.repository && '--repository',
    flags.repositoryPasswordFile && '--repository-password-file',
  ].filter(Boolean);
  if (given.length) throw new UsageError(`${given.join(', ')}: only with --from BACKUP`);
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`--limit: expected a whole number of backups (1 or more), got "${value}"`);
  return n;
}

export function registerSessions(program: Command, io: CommandIO, globals: () => GlobalOptions): void {
  const sessions = program
    .command('sessions')
    .description('list, export and import OpenClaw sessions (entries and full transcripts), and bring one back from any backup');

  const list = sessions
    .command('list')
    .description('list the sessions of this state (key, agent, last update, transcript events), newest first; read-only')
    .option('--agent <id>', 'only this agent')
    .option('--json', 'print a JSON array');
  addFromOptions(list).action(async (flags: BackupFlags & { agent?: string; json?: boolean }) => {
    if (flags.from === undefined) {
      assertNoBackupFlags(flags);
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const found = listSessions({ stateDir: paths.stateDir, openclaw: config.openclaw, agent: flags.agent });
      if (flags.json) printJson(io, found);
      else printSessionTable(io, found, `No sessions in ${paths.stateDir}`);
      return;
    }
    const read = await listBackupSessions({ ...(await openFrom(flags, globals(), io)), agent: flags.agent });
    if (flags.json) printJson(io, read.sessions);
    else printSessionTable(io, read.sessions, `No sessions in ${read.backup.label}`);
  });

  const exporter = sessions
    .command('export')
    .description('print sessions as one versioned JSON document (SQLite or legacy store, read-only, safe while the gateway runs)')
    .argument('[keys...]', 'session keys, e.g. agent:main:main')
    .option('--all', 'export every session')
    .option('--agent <id>', 'only this agent')
    .option('-o, --output <file>', 'write the document to FILE (mode 0600) instead of stdout');
  addFromOptions(exporter).action(async (keys: string[], flags: BackupFlags & { all?: boolean; agent?: string; output?: string }) => {
    if (flags.all && keys.length) throw new UsageError('give session keys or --all, not both');
    const all = flags.all ?? false;
    if (flags.from !== undefined) {
      if (!all && keys.length === 0) throw new UsageError('name a session key or pass --all');
      const document = await exportBackupSessions({ ...(await openFrom(flags, globals(), io)), keys, all, agent: flags.agent });
      await writeDocumentOutput(document, flags.output, io);
      return;
    }
    assertNoBackupFlags(flags);
    const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
    const document = exportSessions({ stateDir: paths.stateDir, openclaw: config.openclaw, keys, all, agent: flags.agent });
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
      const onConflict = onConflictOf(flags.onConflict);
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const input = await readDocumentInput(file, io);
      const doc = parseSessionsDocument(input.text, input.source);
      const dryRun = flags.dryRun ?? false;
      const results = await importSessions({
        stateDir: paths.stateDir,
        openclaw: config.openclaw,
        doc,
        agent: flags.agent,
        onConflict,
        dryRun,
      });
      if (flags.json) printJson(io, { dryRun, agents: results });
      else printImport(io, results, dryRun);
    });

  const restore = sessions
    .command('restore')
    .description(
      'bring sessions back from a backup into this state, leaving every other session and file as it is (gateway must be stopped)',
    )
    .argument('<keys...>', 'session keys as the backup has them (sessions list --from BACKUP shows them)')
    .option('--as <key>', 'bring the one session back under this key (agent:<id>:<name>, or just <name>), beside the live one')
    .option('--on-conflict <mode>', 'when the key already exists here: skip, replace or fail', 'fail')
    .option('--dry-run', 'read the backup and show what would be restored; write nothing')
    .option('--json', 'print the result as JSON');
  addFromOptions(restore, true).action(
    async (keys: string[], flags: BackupFlags & { as?: string; onConflict: string; dryRun?: boolean; json?: boolean }) => {
      const onConflict = onConflictOf(flags.onConflict);
      const { paths, config } = await loadContext(globals(), io, { allowMissing: true });
      const result = await restoreSessions({
        ...(await openFrom(flags, globals(), io)),
        keys,
        as: flags.as,
        stateDir: paths.stateDir,
        openclaw: config.openclaw,
        onConflict,
        dryRun: flags.dryRun ?? false,
      });
      if (flags.json) printJson(io, result);
      else printRestore(io, result);
    },
  );

  const history = sessions
    .command('history')
    .description('list the backups that hold a session, with its transcript events and last update in each, newest first')
    .argument('<key>', 'a session key, e.g. agent:main:main')
    .option('--limit <n>', 'read at most the newest N backups (each is read on its own, one at a time)', '10')
    .option('--json', 'print the result as JSON');
  addRepositoryOptions(addDecryptOptions(history)).action(
    async (key: string, flags: DecryptFlags & RepositoryFlags & { limit: string; json?: boolean }) => {
      const limit = parseLimit(flags.limit);
      const decrypt = await resolveDecryptKey(flags, io.env);
      const { paths, config } = await loadContext(globals(), io);
      const store = await openStore(paths, config, { repository: repositoryFlags(flags), env: io.env });
      const result = await sessionHistory({ store, key, limit, decrypt, signal: io.signal });
      if (flags.json) printJson(io, result);
      else printHistory(io, result);
      const failure = historyFailure(result);
      if (failure) throw failure;
    },
  );
}
