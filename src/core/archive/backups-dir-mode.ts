import fs from 'node:fs/promises';
import { ConfigError } from '../../errors.js';

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

export interface BackupsDirCheck {
  dir: string;
  /** Where the dir came from, for the error: `backup.path`, `--output`, or the default. */
  source: string;
  /** Warn about group/other access too (the configured backups dir; an explicit --output is the user's call). */
  warnLoose: boolean;
}

/**
 * The backups dir is judged by what it really is (a symlink by its target). World-writable without the sticky bit:
 * anyone could delete or replace an archive (even between writing and verifying it), so it is refused. Readable or
 * writable by group or others: archive names and sizes leak and others may delete them, so it is a warning.
 */
export async function checkBackupsDirMode(check: BackupsDirCheck, warn: (message: string) => void): Promise<void> {
  const stat = await fs.stat(check.dir).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  const real = await fs.realpath(check.dir).catch(() => check.dir);
  const label = real === check.dir ? check.dir : `${check.dir} (a link to ${real})`;
  const sticky = (stat.mode & 0o1000) !== 0;
  if ((stat.mode & 0o002) !== 0 && !sticky) {
    throw new ConfigError(
      `${check.source}: backups dir ${label} is writable by everyone without the sticky bit (mode ${octal(stat.mode)}): anyone could delete or replace archives; run chmod 700 ${real}`,
    );
  }
  if (!check.warnLoose || (stat.mode & 0o077) === 0) return;
  const writable = (stat.mode & 0o022) !== 0 ? ', and others can delete them' : '';
  warn(
    `backups dir ${label} is accessible by group or others (mode ${octal(stat.mode)}): archive names and sizes are visible${writable}; run chmod 700 ${real}`,
  );
}
