import fs from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveWriter } from './archive-writer.js';
import { entryMetaOf, fileBaseOf, type ManifestSink, type WalkedFile } from './entry-sink.js';
import type { StableRead } from './read-stable.js';
import { encodeSparseMap } from './sparse-map.js';
import { readSparseStable } from './sparse-read.js';
import { hasSqliteHeader } from './sqlite-snapshot.js';
import { isVanished } from './walk.js';

export interface SparseStoreContext {
  writer: ArchiveWriter;
  manifest: ManifestSink | undefined;
  stagingDir: string;
  warn: (message: string) => void;
}

/**
 * Archives a file with holes in GNU tar's sparse format, so restore (and `tar -x`) writes the holes back as holes and
 * a restore fits where the original did. Returns the bytes stored; a dense read when the file had no hole after all
 * (the caller archives it as usual); 'vanished'; or undefined when the ordinary path should read it (a database).
 */
export async function storeSparse(ctx: SparseStoreContext, file: WalkedFile): Promise<number | StableRead | 'vanished' | undefined> {
  const { abs, name } = file;
  try {
    if (await hasSqliteHeader(abs)) return undefined;
    const staging = path.join(ctx.stagingDir, 'current-sparse');
    const read = await readSparseStable(abs, staging);
    if (!read || read.kind !== 'sparse') return read;
    if (!read.stable) ctx.warn(`${abs} kept changing while it was read; archived the last complete read`);
    const map = encodeSparseMap(read.regions, read.realSize);
    try {
      const meta = entryMetaOf(read.stat);
      const stored = await ctx.writer.addSparseFile(name, { map, realSize: read.realSize }, read.dataFile, read.dataSize, meta);
      await ctx.manifest?.add({
        ...fileBaseOf(file, read.stat),
        type: 'file',
        size: stored.size,
        sha256: stored.sha256,
        sparse: { realSize: read.realSize },
      });
      return stored.size;
    } finally {
      await fs.rm(read.dataFile, { force: true });
    }
  } catch (error) {
    if (isVanished(error)) return 'vanished';
    throw error;
  }
}
