import type { Command } from 'commander';
import type { RepositoryFlags } from '../core/store/resolve-repository.js';

/** --repository / --repository-password-file, on every command that reads or writes backups. */
export function addRepositoryOptions(command: Command): Command {
  return command
    .option(
      '--repository <url>',
      'use this restic repository instead of backup.repository / backup.path (restic syntax: /path, sftp:…, rest:…, s3:…, rclone:…)',
    )
    .option('--repository-password-file <file>', 'file (mode 0600) holding the repository password (default: backup.repository)');
}

export function repositoryFlags(flags: RepositoryFlags): RepositoryFlags {
  return { repository: flags.repository, repositoryPasswordFile: flags.repositoryPasswordFile };
}

export type { RepositoryFlags };
