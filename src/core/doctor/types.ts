import type { LoadedConfig } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import type { BackupBlock } from '../../config/schema.js';
import type { CommandRunner } from '../run-command.js';
import type { BackupStore } from '../store/types.js';

export type DoctorLevel = 'ok' | 'warn' | 'error';

/** One line of `doctor` output. */
export interface DoctorFinding {
  id: string;
  level: DoctorLevel;
  message: string;
  /** What to do about it (a command when there is one). */
  fix?: string;
  /** What `--fix` changed for this finding. */
  fixed?: string[];
}

export interface DoctorContext {
  paths: StatePaths;
  /** The loaded config, or undefined when it could not be loaded (configError says why). */
  config: LoadedConfig | undefined;
  configError: string | undefined;
  /** The block in effect: the loaded one, or the defaults when the config did not load. */
  backup: BackupBlock;
  backupDir: string;
  /** Where backups live (the backups dir or a repository): freshness and the newest backup come from here. */
  store: BackupStore;
  env: NodeJS.ProcessEnv;
  /** $HOME of the service manager (where unit files live). */
  home: string;
  uid: number;
  gid: number;
  now: Date;
  /** Apply the safe fixes (chmod/chown to the current user, remove stale locks). */
  fix: boolean;
  run: CommandRunner;
  signal?: AbortSignal | undefined;
}

export type DoctorCheck = (context: DoctorContext) => Promise<DoctorFinding[]>;

export const ok = (id: string, message: string): DoctorFinding => ({ id, level: 'ok', message });
