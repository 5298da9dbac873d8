import path from 'node:path';
import { BackupError, UsageError } from '../../errors.js';
import { KEY_NEEDED } from '../../core/crypto/keys.js';
import { countOf, escapeControl, formatLocalTime } from '../../core/format.js';
import type { AgentImportResult } from '../../core/sessions/import-sessions.js';
import type { SessionSummary } from '../../core/sessions/list-sessions.js';
import type { RestoreSessionsResult } from '../../core/sessions/restore-sessions.js';
import type { SessionHistory } from '../../core/sessions/session-history.js';
import type { CommandIO } from '../context.js';

const write = (io: CommandIO, lines: string[], stream = io.stdout) => stream.write(`${lines.map(escapeControl).join('\n')}\n`);

export function printSessionTable(io: CommandIO, found: SessionSummary[], empty: string): void {
  if (found.length === 0) {
    write(io, [empty]);
    return;
  }
  const width = Math.max(3, ...found.map((s) => s.key.length));
  const lines = [`${'KEY'.padEnd(width)}  AGENT  ${'UPDATED'.padEnd(19)}  EVENTS`];
  for (const s of found)
    lines.push(
      `${s.key.padEnd(width)}  ${s.agentId.padEnd(5)}  ${formatLocalTime(s.updatedAt).padEnd(19)}  ${String(s.events).padStart(6)}`,
    );
  write(io, lines);
}

export function printImport(io: CommandIO, results: AgentImportResult[], dryRun: boolean): void {
  const verb = dryRun ? 'would import' : 'imported';
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`agent ${r.agentId} (${r.layout}${r.created ? ', new store' : ''}): ${verb} ${r.imported.length} session(s)`);
    for (const key of r.imported) lines.push(`  ${r.replaced.includes(key) ? 'replace' : 'add'}  ${key}`);
    for (const key of r.skipped) lines.push(`  skip  ${key} (exists)`);
  }
  write(io, lines);
}

const ACTIONS = {
  added: ['added', 'would add'],
  replaced: ['replaced', 'would replace'],
  skipped: ['skipped', 'would skip'],
} as const;

export function printRestore(io: CommandIO, result: RestoreSessionsResult): void {
  const made = result.backup.createdAt ? ` (made ${formatLocalTime(result.backup.createdAt)})` : '';
  const lines = [`${result.dryRun ? 'Dry run: nothing written. ' : ''}From ${result.backup.label}${made}:`];
  const width = Math.max(...result.sessions.map((s) => ACTIONS[s.action][result.dryRun ? 1 : 0].length));
  for (const s of result.sessions) {
    const verb = ACTIONS[s.action][result.dryRun ? 1 : 0].padEnd(width);
    const as = s.restoredAs !== s.key ? ` as ${s.restoredAs}` : '';
    const what =
      s.action === 'skipped'
        ? `(already here; --on-conflict replace overwrites it, --as NEW_KEY keeps both)`
        : `(${countOf(s.events, 'transcript event')}${s.newStore ? `, new ${s.layout} store for agent ${s.agentId}` : ''})`;
    lines.push(`  ${verb}  ${s.key}${as} ${what}`);
  }
  write(io, lines);
}

const nameOf = (archive: string) => path.basename(archive);

export function printHistory(io: CommandIO, h: SessionHistory): void {
  const lines: string[] = [];
  if (h.versions.length) {
    const width = Math.max('BACKUP'.length, ...h.versions.map((v) => nameOf(v.archive).length));
    lines.push(`${h.key} in ${h.location}, newest first:`);
    lines.push(`${'BACKUP'.padEnd(width)}  ${'MADE'.padEnd(19)}  EVENTS  ${'UPDATED'.padEnd(19)}  SESSION ID`);
    for (const v of h.versions)
      lines.push(
        `${nameOf(v.archive).padEnd(width)}  ${formatLocalTime(v.createdAt).padEnd(19)}  ${String(v.events).padStart(6)}  ${formatLocalTime(v.updatedAt).padEnd(19)}  ${v.sessionId}`,
      );
  } else lines.push(`no backup read holds ${h.key}`);
  if (h.absent.length) lines.push(`not in: ${h.absent.map((a) => `${nameOf(a.archive)} (${formatLocalTime(a.createdAt)})`).join(', ')}`);
  if (h.read < h.total) lines.push(`read the newest ${h.read} of ${h.total} backups; --limit ${h.total} reads them all`);
  write(io, lines);
  for (const s of h.skipped) write(io, [`note: ${nameOf(s.archive)} not read: ${s.reason}`], io.stderr);
}

/** Why `sessions history` exits non-zero: no backups (2), none readable without a key (2), none holding the key (1). */
export function historyFailure(h: SessionHistory): BackupError | undefined {
  if (h.versions.length) return undefined;
  if (h.total === 0) return new UsageError(`no backups in ${h.location}`);
  const readable = h.read - h.skipped.length;
  if (readable === 0 && h.skipped.every((s) => s.reason === KEY_NEEDED)) return new UsageError(`the backups read are ${KEY_NEEDED}`);
  const held =
    h.newestKeys === undefined ? '' : `; the newest readable one holds: ${h.newestKeys.length ? h.newestKeys.join(', ') : '(none)'}`;
  return new BackupError('failure', `no backup read holds session "${h.key}" (${h.read} of ${h.total} read)${held}`);
}
