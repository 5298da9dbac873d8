/**
 * SIGHUP reloads the config (SIGTERM/SIGINT abort through the CLI's AbortSignal, see cli/cli.ts). Node's default
 * for SIGHUP is to exit, so the daemon must always listen for it. Returns the uninstaller.
 */
export function onReloadSignal(handler: () => void, target: NodeJS.Process = process): () => void {
  const listener = () => handler();
  target.on('SIGHUP', listener);
  return () => {
    target.off('SIGHUP', listener);
  };
}
