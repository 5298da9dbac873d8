import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArchiveFileName } from '../archive/naming.js';

export interface ArchiveFile {
  path: string;
  size: number;
  mtimeMs: number;
  encrypted: boolean;
}

/** This profile's archives in the backups dir, oldest first: by the name's second, then its -N (backups of one second). */
export async function listProfileArchives(backupDir: string, profile: string): Promise<ArchiveFile[]> {
  const names = await fs.readdir(backupDir).catch(() => [] as string[]);
  const ours = names
    .map((name) => ({ name, parsed: parseArchiveFileName(name) }))
    .filter((item) => item.parsed?.profile === profile)
    .sort(
      (a, b) =>
        (a.parsed?.stamp ?? '').localeCompare(b.parsed?.stamp ?? '') ||
        (a.parsed?.collision ?? 0) - (b.parsed?.collision ?? 0) ||
        a.name.localeCompare(b.name),
    );
  const out: ArchiveFile[] = [];
  for (const { name, parsed } of ours) {
    const file = path.join(backupDir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isFile()) out.push({ path: file, size: stat.size, mtimeMs: stat.mtimeMs, encrypted: Boolean(parsed?.encrypted) });
  }
  return out;
}
