import type { Command } from 'commander';
import type { StatePaths } from '../config/paths.js';
import type { RepositoryFlags } from '../core/store/resolve-repository.js';
import type { SeriesSelector } from '../core/store/types.js';

/** --repository / --repository-password-file, on every command that reads or writes backups. */
export function addRepositoryOptions(command: Command): Command {
  return command
    .option(
      '--repository <url>',
      'use this restic repository instead of backup.repository / backup.path (restic syntax: /path, sftp:…, rest:…, s3:…, rclone:…)',
    )
    .option('--repository-password-file <file>', 'file (mode 0600) holding the repository password (default: backup.repository)');
}

/** The repository flags of a command that writes backups: restic's environment never decides where they go. */
export function repositoryFlags(flags: RepositoryFlags): RepositoryFlags {
  return { repository: flags.repository, repositoryPasswordFile: flags.repositoryPasswordFile };
}

/**
 * The repository flags of a command that only reads backups: with no flag and no backup.repository, restic's own
 * RESTIC_REPOSITORY / RESTIC_REPOSITORY_FILE and RESTIC_PASSWORD_FILE / _COMMAND / RESTIC_PASSWORD name one.
 */
export function readRepositoryFlags(flags: RepositoryFlags): RepositoryFlags {
  return { ...repositoryFlags(flags), fromEnv: true };
}

export interface SeriesFlags {
  host?: string | undefined;
  stateId?: string | undefined;
}

/** --host / --state-id: which state's snapshots a reading command sees, in a repository several states share. */
export function addSeriesOptions(command: Command): Command {
  return command
    .option('--host <name>', "read the snapshots made on this host (a repository shared by several machines' states)")
    .option('--state-id <id>', 'read the snapshots of this state id (or a prefix of it), as `list` shows it');
}

/** The selector the flags make; with --host or --state-id a named --profile narrows it too. */
export function seriesSelector(flags: SeriesFlags, paths: StatePaths): SeriesSelector | undefined {
  if (!flags.host && !flags.stateId) return undefined;
  return { hostname: flags.host, stateId: flags.stateId, profile: paths.source === 'profile' ? paths.profile : undefined };
}

export type { RepositoryFlags };
