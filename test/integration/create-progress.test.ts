import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveStatePaths } from '../../src/config/paths.js';
import { createBackup } from '../../src/core/backup/create.js';
import type { ProgressDone, ProgressTotals } from '../../src/core/progress.js';
import { makeTempDir, writeTree } from '../helpers/fixture.js';

describe("create's progress moves from the start, within a large file too", () => {
  it('reports bytes as a 40 MiB file is read, not only when it is done', async () => {
    const home = makeTempDir('ocb-progress-');
    const paths = resolveStatePaths({ env: { HOME: home } });
    const big = 40 * 1024 * 1024;
    writeTree(paths.stateDir, { 'openclaw.json': '{}', 'workspace/MEMORY.md': 'notes\n', 'workspace/model.bin': randomBytes(big) });
    const updates: ProgressDone[] = [];
    let totals: ProgressTotals | undefined;
    const result = await createBackup({
      paths,
      config: await loadConfig(paths),
      progress: { start: (_phase, t) => (totals = t), update: (done) => updates.push({ ...done }), warning() {}, finish() {} },
    });
    expect(result.files).toBe(3);
    expect(totals?.bytes).toBeGreaterThanOrEqual(big);
    // While the large file is read, the file count stays and the bytes climb chunk by chunk.
    const during = updates.filter(
      (u) => u.bytes > 0 && u.bytes < (totals?.bytes ?? 0) && updates.filter((v) => v.items === u.items).length > 1,
    );
    expect(new Set(during.map((u) => u.bytes)).size).toBeGreaterThanOrEqual(10);
    const bytes = updates.map((u) => u.bytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    fs.rmSync(path.join(paths.stateDir, 'workspace', 'model.bin'));
  });
});
