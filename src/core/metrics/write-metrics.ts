import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isProcessAlive, tempSuffix } from '../fs/atomic.js';
import { renderMetrics, type MetricsInput } from './render-metrics.js';

/** Temp files writeFileAtomic leaves when killed: `<file>.<pid>-<hex>.tmp`. Never *.prom, so the collector skips them. */
async function removeDeadTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (match && !isProcessAlive(Number(match[1]))) await fs.rm(path.join(dir, name), { force: true });
  }
}

/**
 * Writes the metrics file for node_exporter's textfile collector: temp file, fsync, rename, so a scrape sees the
 * old file or the new one, never half of one. Mode 0644 whatever the umask (the service runs with 0077): the
 * exporter runs as another user, and nothing in the file is secret.
 */
export async function writeMetricsFile(file: string, input: MetricsInput): Promise<void> {
  await removeDeadTemps(file);
  const temp = `${file}.${tempSuffix()}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o644);
  try {
    await handle.chmod(0o644);
    await handle.writeFile(renderMetrics(input));
    await handle.sync();
    await handle.close();
    await fs.rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(file));
}
