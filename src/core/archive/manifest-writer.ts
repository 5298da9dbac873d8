import fs from 'node:fs/promises';
import { emptyTotals, type ArchiveHeader, type ManifestEntry, type ManifestTotals } from './manifest.js';

/**
 * Streams the manifest to a staging file as entries are archived, so memory does not grow with the
 * number of files. The result is one JSON object; entries are one per line for easy inspection.
 */
export class ManifestWriter {
  readonly totals: ManifestTotals = emptyTotals();
  readonly externalSymlinks: string[] = [];
  readonly warnings: string[] = [];
  private count = 0;

  private constructor(
    private readonly handle: fs.FileHandle,
    readonly file: string,
  ) {}

  static async open(file: string, header: ArchiveHeader): Promise<ManifestWriter> {
    const handle = await fs.open(file, 'wx', 0o600);
    const head = JSON.stringify(header, null, 2);
    await handle.write(`${head.slice(0, -2)},\n  "entries": [\n`);
    return new ManifestWriter(handle, file);
  }

  async add(entry: ManifestEntry): Promise<void> {
    await this.handle.write(`${this.count === 0 ? '' : ',\n'}    ${JSON.stringify(entry)}`);
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

  /** Closes the document and returns its size in bytes. */
  async finish(completedAt: Date): Promise<number> {
    const tail = {
      completedAt: completedAt.toISOString(),
      totals: this.totals,
      externalSymlinks: this.externalSymlinks,
      warnings: this.warnings,
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
