/**
 * Who we are to OpenClaw. Imports nothing: the plugin entry (src/plugin/) reads these at load time, inside the
 * gateway, where nothing heavy may be loaded.
 */

/** The plugin id: `plugins.entries["openclaw-backup"]` holds our block and `<state>/extensions/openclaw-backup` our copy. */
export const PLUGIN_ID = 'openclaw-backup';
export const PLUGIN_NAME = 'OpenClaw Backup';
export const PLUGIN_DESCRIPTION =
  'Scheduled, verified, restorable backups of the OpenClaw state dir (config, credentials, sessions, memory, workspaces) by the openclaw-backup daemon; `openclaw backups` runs its CLI.';

/** `openclaw backups …`: OpenClaw's core owns `backup`, so ours is the plural. */
export const ROOT_COMMAND = 'backups';
export const ROOT_COMMAND_DESCRIPTION = 'openclaw-backup: status, list, run and the rest of its CLI for this state dir';

/** The read-only gateway method (scope operator.read) answering with `openclaw-backup status --json`. */
export const STATUS_METHOD = `${PLUGIN_ID}.status`;

/** The default backups dir, relative to the state dir (OpenClaw's own backup skips it: backupResources). */
export const DEFAULT_BACKUPS_DIR = 'backups';
