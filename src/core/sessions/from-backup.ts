import { agentsOfKeys } from './backup-entries.js';
import type { SessionsDocument } from './document.js';
import { exportSessions } from './export-sessions.js';
import { listSessions, type SessionSummary } from './list-sessions.js';
import { withBackupSessions, type BackupSessionsView, type ReadBackupOptions } from './read-backup.js';

export interface BackupRef {
  label: string;
  createdAt: string | null;
}

const refOf = (view: BackupSessionsView): BackupRef => ({ label: view.label, createdAt: view.createdAt ?? null });

/** `sessions list --from`: the sessions a backup holds, as `sessions list` shows the live ones. The live state is not read. */
export async function listBackupSessions(
  options: Omit<ReadBackupOptions, 'agents'> & { agent?: string | undefined },
): Promise<{ backup: BackupRef; sessions: SessionSummary[] }> {
  const agents = options.agent === undefined ? undefined : new Set([options.agent]);
  return withBackupSessions({ ...options, agents }, (view) => ({
    backup: refOf(view),
    sessions: listSessions({ stateDir: view.stateDir, openclaw: view.openclaw, agent: options.agent }),
  }));
}

/** `sessions export --from`: the sessions document of a backup's sessions (the named keys, or all). */
export async function exportBackupSessions(
  options: Omit<ReadBackupOptions, 'agents'> & { keys: string[]; all: boolean; agent?: string | undefined },
): Promise<SessionsDocument> {
  const agents = options.agent !== undefined ? new Set([options.agent]) : options.all ? undefined : agentsOfKeys(options.keys);
  return withBackupSessions({ ...options, agents }, (view) =>
    exportSessions({
      stateDir: view.stateDir,
      openclaw: view.openclaw,
      keys: options.keys,
      all: options.all,
      agent: options.agent,
      where: view.scope,
    }),
  );
}
