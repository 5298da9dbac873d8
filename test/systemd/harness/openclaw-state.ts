import fs from 'node:fs';
import { CONTAINER_FIXTURE } from './checkout.js';
import { HOME, mustSucceed, type UserSession } from './user-session.js';

/** `~/.openclaw` for the default profile, `~/.openclaw-<name>` for another, as OpenClaw resolves them. */
export function stateDirFor(profile?: string): string {
  return profile ? `${HOME}/.openclaw-${profile}` : `${HOME}/.openclaw`;
}

/** Our block, where OpenClaw 2026.9.x accepts it: `plugins.entries["openclaw-backup"].config`. */
export type BackupBlock = Record<string, unknown>;

/** Replaces our block in the state's openclaw.json (by rename, so the daemon's watcher sees it as OpenClaw's writes). */
export function writeBackupBlock(session: UserSession, stateDir: string, block: BackupBlock): void {
  const file = `${stateDir}/openclaw.json`;
  const config = JSON.parse(fs.readFileSync(session.hostPath(file), 'utf8')) as { plugins?: { entries?: Record<string, unknown> } };
  config.plugins ??= {};
  config.plugins.entries ??= {};
  config.plugins.entries['openclaw-backup'] = { config: block };
  session.writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * The real OpenClaw 2026.9.6 state (test/fixtures, bound read-only) unpacked by the user as `~/.openclaw`, or as
 * `~/.openclaw-<profile>` with the config's paths moved along, plus our block.
 */
export async function installFixture(session: UserSession, block: BackupBlock, profile?: string): Promise<string> {
  const stateDir = stateDirFor(profile);
  if (profile) {
    const unpack = `${HOME}/.fixture-unpack`;
    await mustSucceed(
      session.run([
        'sh',
        '-c',
        `mkdir "$1" && tar -C "$1" -xzf "$2" && mv "$1/.openclaw" "$3" && rmdir "$1"`,
        'sh',
        unpack,
        CONTAINER_FIXTURE,
        stateDir,
      ]),
      'unpack fixture',
    );
    const file = session.hostPath(`${stateDir}/openclaw.json`);
    const text = fs
      .readFileSync(file, 'utf8')
      .replaceAll(`${HOME}/.openclaw/`, `${stateDir}/`)
      .replaceAll(`"${HOME}/.openclaw"`, `"${stateDir}"`);
    session.writeFile(`${stateDir}/openclaw.json`, text);
  } else {
    await mustSucceed(session.run(['tar', '-C', HOME, '-xzf', CONTAINER_FIXTURE]), 'unpack fixture');
  }
  writeBackupBlock(session, stateDir, block);
  return stateDir;
}

/** Our archives in a backups dir (host view), oldest first. */
export function listArchives(session: UserSession, backupDir: string): string[] {
  const dir = session.hostPath(backupDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /^openclaw-backup-.*\.tar(\.gz|\.zst)?$/.test(name))
    .sort();
}

/** Our temporary things (partial archives, staging dirs, atomic-write temps, locks) in a dir (host view). */
export function leftovers(session: UserSession, dir: string): string[] {
  const abs = session.hostPath(dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs)
    .filter((name) => /\.partial$|^\.openclaw-backup-(staging|restore)-|\.tmp$|^openclaw-backup(-daemon)?\.lock$/.test(name));
}
