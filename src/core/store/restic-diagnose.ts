import { isBackupError } from '../../errors.js';
import { checkPassword, type ResticRepository } from './restic-repository.js';
import { findRestic, MIN_RESTIC, runRestic } from './restic-run.js';
import type { StoreFinding, StoredBackup } from './types.js';
import { secretFileFix } from '../crypto/secret-file-fix.js';

const ID = 'repository';

function age(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 ? `${days.toFixed(1)} days` : `${(ms / 3_600_000).toFixed(1)} hours`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * doctor's view of a repository: restic installed and new enough, the password file private, the repository
 * reachable with that password, and how old this state's last snapshot is. Each problem is one finding.
 */
export async function diagnoseRepository(
  repo: ResticRepository,
  list: () => Promise<StoredBackup[]>,
  now: Date,
  signal?: AbortSignal,
): Promise<StoreFinding[]> {
  const found = await findRestic(repo, signal);
  if ('problem' in found)
    return [
      {
        id: `${ID}-restic`,
        level: 'error',
        message: found.problem,
        fix: 'apt install restic (Debian/Ubuntu) or brew install restic (macOS)',
      },
    ];
  const findings: StoreFinding[] = [
    { id: `${ID}-restic`, level: 'ok', message: `restic ${found.version} (${MIN_RESTIC.join('.')} or newer needed)` },
  ];
  try {
    await checkPassword(repo);
    findings.push({
      id: `${ID}-password`,
      level: 'ok',
      message: 'file' in repo.password ? `password file ${repo.password.file} is private` : `password from $${repo.password.env}`,
    });
  } catch (error) {
    findings.push({
      id: `${ID}-password`,
      level: 'error',
      message: messageOf(error),
      fix:
        'file' in repo.password
          ? secretFileFix(repo.password.file, 'repository password')
          : `set ${repo.password.env} in the daemon's environment`,
    });
    return findings;
  }
  try {
    await runRestic(repo, ['cat', 'config'], { signal, command: 'cat config' });
    const snapshots = await list();
    const newest = snapshots[0];
    const last = newest
      ? `, last snapshot ${newest.archive} ${age(Math.max(0, now.getTime() - Date.parse(newest.createdAt)))} ago (${newest.createdAt})`
      : ', no snapshot of this state yet';
    findings.push({
      id: `${ID}-reachable`,
      level: newest ? 'ok' : 'warn',
      message: `repository ${repo.location} opens with the password: ${snapshots.length} snapshot(s) of this state${last}`,
      ...(newest ? {} : { fix: 'openclaw-backup create' }),
    });
  } catch (error) {
    if (isBackupError(error) && error.kind === 'interrupted') throw error;
    const uninitialised = /no restic repository/.test(messageOf(error));
    findings.push({
      id: `${ID}-reachable`,
      level: 'error',
      message: messageOf(error),
      fix: uninitialised ? 'openclaw-backup repository init' : `check ${repo.keyPath} and the network`,
    });
  }
  return findings;
}
