import type { RunPhase } from '../core/status-record.js';

/** What a finished run did, as the pings, onFailure and the metrics file report it. Never holds a secret. */
export interface RunOutcome {
  /** "run", "daemon" or "create": what made the run. */
  command: 'run' | 'daemon' | 'create';
  trigger: string;
  profile: string;
  stateDir: string;
  startedAt: string;
  finishedAt: string;
  result: 'ok' | 'failed' | 'interrupted';
  /** The step that failed, null on success. */
  phase: RunPhase | null;
  /** The code `openclaw-backup run` exits (or would exit) with for this result. */
  exitCode: number;
  /** One line, secret-free. */
  error: string | null;
  archive: string | null;
  bytes: number | null;
  files: number | null;
  durationMs: number;
  pauseMs: number | null;
  pruned: number;
  warnings: string[];
}
