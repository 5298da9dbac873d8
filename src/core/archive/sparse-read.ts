import { createHash, type Hash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { IN_MEMORY_LIMIT, unchangedWhileRead, type StableRead } from './read-stable.js';
import { MAX_SPARSE_REGIONS, type SparseRegion } from './sparse-map.js';

/** The hole granularity: a hole on disk is whole file-system blocks, and 4 KiB is the common block. */
export const SPARSE_BLOCK = 4096;
const CHUNK = 1024 * 1024;
const ZERO_CHUNK = Buffer.alloc(CHUNK);
const ZERO_BLOCK = ZERO_CHUNK.subarray(0, SPARSE_BLOCK);
const MAX_ATTEMPTS = 4;

/**
 * Whether a file has holes on disk (fewer blocks allocated than its size needs). Only large ones are worth the sparse
 * format; a compressed file system can report this for dense files too, which the read then finds out.
 */
export function mayBeSparse(stat: Stats): boolean {
  return stat.isFile() && stat.size > IN_MEMORY_LIMIT && stat.blocks * 512 + SPARSE_BLOCK <= stat.size;
}

export interface SparseRead {
  kind: 'sparse';
  /** The data regions' bytes, concatenated, in a staging file. */
  dataFile: string;
  dataSize: number;
  regions: SparseRegion[];
  realSize: number;
  stat: Stats;
  stable: boolean;
}

function addData(regions: SparseRegion[], offset: number, size: number): void {
  const last = regions.at(-1);
  if (last && last.offset + last.size === offset) last.size += size;
  else regions.push({ offset, size });
}

/** One pass: zero blocks are holes (they cost no read from disk when they are holes), the rest is copied. */
async function readOnce(file: string, stagingFile: string): Promise<SparseRead | StableRead> {
  const handle = await fs.open(file, 'r');
  try {
    const before = await handle.stat();
    const out = await fs.open(stagingFile, 'w', 0o600);
    const regions: SparseRegion[] = [];
    // The plain hash is only needed when no hole turns up (then the staged copy is the file itself).
    let dense: Hash | undefined = createHash('sha256');
    let dataSize = 0;
    let offset = 0;
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      while (offset < before.size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, before.size - offset), offset);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        if (bytesRead === CHUNK && chunk.equals(ZERO_CHUNK)) dense = undefined;
        else {
          // Runs of data blocks are written in one call each.
          let runStart = -1;
          for (let at = 0; at <= bytesRead; at += SPARSE_BLOCK) {
            const block = chunk.subarray(at, Math.min(at + SPARSE_BLOCK, bytesRead));
            const zero = block.length === 0 || block.equals(ZERO_BLOCK.subarray(0, block.length));
            if (!zero && runStart < 0) runStart = at;
            if ((zero || at + SPARSE_BLOCK >= bytesRead) && runStart >= 0) {
              const run = chunk.subarray(runStart, zero ? at : bytesRead);
              dense?.update(run);
              addData(regions, offset + runStart, run.length);
              await out.write(run);
              dataSize += run.length;
              runStart = -1;
            }
            if (zero && block.length > 0) dense = undefined;
          }
        }
        offset += bytesRead;
      }
    } finally {
      await out.close();
    }
    const after = await handle.stat();
    const stable = offset === before.size && unchangedWhileRead(before, after);
    if (dense && dataSize === offset) {
      // No hole after all: the staged copy is the file.
      return { kind: 'staged', file: stagingFile, size: offset, stat: after, sha256: dense.digest('hex'), stable };
    }
    return { kind: 'sparse', dataFile: stagingFile, dataSize, regions, realSize: offset, stat: after, stable };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a file with holes so that only its data is staged and archived, with a map of where it goes; re-read while
 * it changes, like readStableFile. A file without holes comes back as an ordinary staged read; one with more regions
 * than the format is worth, as undefined (read it the ordinary way).
 */
export async function readSparseStable(file: string, stagingFile: string): Promise<SparseRead | StableRead | undefined> {
  let last: SparseRead | StableRead | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    last = await readOnce(file, stagingFile);
    if (last.kind === 'sparse' && last.regions.length > MAX_SPARSE_REGIONS) {
      await fs.rm(stagingFile, { force: true });
      return undefined;
    }
    if (last.stable) return last;
    await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
  }
  return last;
}
