import path from 'node:path';

/** Our cache dir: `$XDG_CACHE_HOME/openclaw-backup`, else `~/.cache/openclaw-backup` (restic keeps its own beside it). */
export function cacheRoot(home: string, env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'openclaw-backup');
}

/**
 * The name of a snapshot's meta dir: the one path of a snapshot that is ours, not the user's (header, manifest
 * lists, database snapshots). Kept between runs in the state's cache dir, so restic's parent check skips what did
 * not change in it.
 */
export const META_DIR_NAME = '.openclaw-backup-snapshot';

export interface StateCache {
  /** `<cacheRoot>/<stateId>`: private (0700), ours. */
  dir: string;
  meta: string;
  entries: string;
  files: string;
  hashes: string;
}

export function stateCacheOf(root: string, stateId: string): StateCache {
  const dir = path.join(root, stateId);
  const meta = path.join(dir, META_DIR_NAME);
  return { dir, meta, entries: path.join(meta, 'entries'), files: path.join(meta, 'files'), hashes: path.join(dir, 'files.sqlite') };
}
