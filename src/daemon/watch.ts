import path from 'node:path';

export interface ConfigWatcher {
  close(): Promise<void>;
}

/**
 * Watches one config file. OpenClaw rewrites openclaw.json by writing a temp file and renaming it over the old
 * one, which replaces the inode a file watch would follow; so the directory entry is watched (the parent dir at
 * depth 0, every other name ignored) and add/change events are debounced into one `onChange`.
 */
export async function watchConfigFile(configPath: string, onChange: () => void, debounceMs = 300): Promise<ConfigWatcher> {
  const file = path.resolve(configPath);
  const dir = path.dirname(file);
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  // Loaded here, by the daemon only: every other command would carry it for nothing.
  const { watch } = await import('chokidar');
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    ignored: (candidate: string) => {
      const resolved = path.resolve(candidate);
      return resolved !== dir && resolved !== file;
    },
  });
  watcher.on('add', fire);
  watcher.on('change', fire);
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', () => resolve());
    watcher.once('error', reject);
  });
  return {
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
