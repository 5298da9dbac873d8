import { UsageError } from '../../errors.js';
import { assertGatewayStopped } from '../gateway/detect.js';
import { agentsOfKeys } from './backup-entries.js';
import { CONFLICT_HINT, type OnConflict } from './conflicts.js';
import type { SessionsDocument } from './document.js';
import { exportSessions } from './export-sessions.js';
import { importSessions, type AgentImportResult } from './import-sessions.js';
import { withBackupSessions, type ReadBackupOptions } from './read-backup.js';
import { normalizeNewKey, renameSession } from './rename-session.js';

export interface RestoreSessionsOptions extends Omit<ReadBackupOptions, 'agents'> {
  /** Session keys to bring back, as the backup names them. */
  keys: string[];
  /** Bring the one session back under this key (and fresh session ids), beside whatever the state has. */
  as?: string | undefined;
  /** The live state the sessions go into. */
  stateDir: string;
  openclaw: Record<string, unknown>;
  onConflict: OnConflict;
  dryRun: boolean;
}

export interface RestoredSession {
  /** The key in the backup. */
  key: string;
  /** The key it has in the live state (differs with --as). */
  restoredAs: string;
  agentId: string;
  /** added: it was not there; replaced: the live session was deleted first; skipped: the live one was kept. */
  action: 'added' | 'replaced' | 'skipped';
  events: number;
  layout: 'sqlite' | 'legacy';
  /** The agent had no session store yet; one was created. */
  newStore: boolean;
}

export interface RestoreSessionsResult {
  backup: { label: string; createdAt: string | null };
  dryRun: boolean;
  sessions: RestoredSession[];
}

function actionOf(result: AgentImportResult, key: string): RestoredSession['action'] {
  if (result.skipped.includes(key)) return 'skipped';
  return result.replaced.includes(key) ? 'replaced' : 'added';
}

/**
 * Brings sessions back from a backup into the live state, leaving every other session, credential and note as it
 * is: the backup's agent stores are read through the checked reader into a temp dir (see read-backup.ts), the named
 * sessions are taken out as a sessions document, and that goes through `sessions import`'s path — same conflict
 * rules, one transaction per agent store, refused (exit 4) while the gateway runs.
 */
export async function restoreSessions(options: RestoreSessionsOptions): Promise<RestoreSessionsResult> {
  if (options.keys.length === 0) throw new UsageError('name the session keys to restore (sessions list --from BACKUP shows them)');
  if (options.as !== undefined && options.keys.length !== 1) throw new UsageError('--as renames one session: name exactly one key');
  const action = 'restore sessions';
  // Said before the backup is read, which can take minutes; the import checks again right before it writes.
  if (!options.dryRun) await assertGatewayStopped({ stateDir: options.stateDir, openclaw: options.openclaw, action });
  const read = await withBackupSessions({ ...options, agents: agentsOfKeys(options.keys) }, (view) => ({
    backup: { label: view.label, createdAt: view.createdAt ?? null },
    doc: exportSessions({ stateDir: view.stateDir, openclaw: view.openclaw, keys: options.keys, where: view.scope }),
  }));
  const renamed = new Map<string, string>();
  let doc: SessionsDocument = read.doc;
  if (options.as !== undefined) {
    const original = doc.sessions[0]!;
    const newKey = normalizeNewKey(original, options.as);
    doc = { ...doc, sessions: [renameSession(original, newKey)] };
    renamed.set(newKey, original.key);
  }
  const results = await importSessions({
    stateDir: options.stateDir,
    openclaw: options.openclaw,
    doc,
    onConflict: options.onConflict,
    dryRun: options.dryRun,
    conflictHint: `${CONFLICT_HINT}, or --as NEW_KEY to keep both`,
    action,
  });
  const sessions: RestoredSession[] = [];
  for (const session of doc.sessions) {
    const result = results.find((r) => r.agentId === session.agentId)!;
    sessions.push({
      key: renamed.get(session.key) ?? session.key,
      restoredAs: session.key,
      agentId: session.agentId,
      action: actionOf(result, session.key),
      events: session.windows.reduce((n, w) => n + w.events.length, 0),
      layout: result.layout,
      newStore: result.created,
    });
  }
  return { backup: read.backup, dryRun: options.dryRun, sessions };
}
