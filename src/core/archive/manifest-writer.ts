import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { emptyTotals, encodeHeader, type ArchiveHeader, type ManifestEntry, type ManifestTotals } from './manifest.js';

const PENDING_BYTES = 256 * 1024;

/**
 * Streams the manifest to a staging file as entries are archived, so memory does not grow with the
 * number of files. The result is one JSON object; entries are one per line for easy inspection.
 */
export class ManifestWriter {
  readonly totals: ManifestTotals = emptyTotals();
  readonly externalSymlinks: string[] = [];
  readonly warnings: string[] = [];
  private count = 0;
  /**
   * Entry lines not yet written, as UTF-8 in one reused buffer: one write per ~256 KiB instead of one per entry. Not
   * as strings: held for a thousand entries, they outlived young-generation collections and piled up as old-space
   * garbage (peak RSS on 200,000 files).
   */
  private readonly pending = Buffer.allocUnsafeSlow(PENDING_BYTES);
  private pendingSize = 0;

  private constructor(
    private readonly handle: fs.FileHandle,
    readonly file: string,
    private readonly headerSha256: string,
  ) {}

  static async open(file: string, header: ArchiveHeader): Promise<ManifestWriter> {
    const handle = await fs.open(file, 'wx', 0o600);
    const head = JSON.stringify(header, null, 2);
    await handle.write(`${head.slice(0, -2)},\n  "entries": [\n`);
    return new ManifestWriter(handle, file, createHash('sha256').update(encodeHeader(header)).digest('hex'));
  }

  async add(entry: ManifestEntry): Promise<void> {
    const line = `${this.count === 0 ? '' : ',\n'}    ${JSON.stringify(entry)}`;
    // At most three UTF-8 bytes per UTF-16 unit: a line that might not fit is preceded by a flush.
    if (this.pendingSize + line.length * 3 > PENDING_BYTES) await this.flush();
    if (line.length * 3 > PENDING_BYTES) await this.handle.write(line);
    else this.pendingSize += this.pending.write(line, this.pendingSize);
    this.count += 1;
    if (entry.type === 'directory') this.totals.directories += 1;
    else if (entry.type === 'symlink') {
      this.totals.symlinks += 1;
      if (entry.external) this.externalSymlinks.push(entry.path);
    } else {
      this.totals.files += 1;
      this.totals.bytes += entry.size;
      if (entry.sqlite) this.totals.databases += 1;
    }
  }

  private async flush(): Promise<void> {
    const size = this.pendingSize;
    this.pendingSize = 0;
    if (size > 0) await this.handle.write(this.pending.subarray(0, size));
  }

  /** Closes the document and returns its size in bytes. */
  async finish(completedAt: Date): Promise<number> {
    await this.flush();
    const tail = {
      completedAt: completedAt.toISOString(),
      totals: this.totals,
      externalSymlinks: this.externalSymlinks,
      warnings: this.warnings,
      headerSha256: this.headerSha256,
    };
    const tailJson = JSON.stringify(tail, null, 2);
    await this.handle.write(`\n  ],\n${tailJson.slice(2)}\n`);
    await this.handle.close();
    return (await fs.stat(this.file)).size;
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
