/** Set by our systemd units to the unit's name (%n): the process runs in that unit's sandbox. */
export const UNIT_ENV = 'OPENCLAW_BACKUP_UNIT';

/**
 * Under our systemd unit a read-only file system is most likely its sandbox (ProtectSystem=strict: only the
 * ReadWritePaths that `service install` wrote are writable). Returns the sentence that says so, or ''.
 */
export function sandboxHint(env: NodeJS.ProcessEnv, text: string): string {
  const unit = env[UNIT_ENV];
  if (!unit || !/read-only file system|EROFS/i.test(text) || text.includes('ProtectSystem=strict')) return '';
  return `; the service ${unit} runs sandboxed (ProtectSystem=strict) and writes only its ReadWritePaths: run \`openclaw-backup service install\` again after changing the config (it adds the backups dir and a local repository), or add the path with \`systemctl --user edit ${unit}\``;
}
