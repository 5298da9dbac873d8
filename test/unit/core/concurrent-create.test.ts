import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { createBackup } from '../../../src/core/backup/create.js';
import { listArchives } from '../../../src/core/store/catalog.js';
import { verifyArchive } from '../../../src/core/reader/verify-archive.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

describe('concurrent backups', () => {
  it('backups started in the same second all publish, under distinct names, and all verify', async () => {
    const home = makeTempDir();
    const paths = resolveStatePaths({ env: { HOME: home } });
    writeTree(paths.stateDir, { 'openclaw.json': '{}', 'workspace/MEMORY.md': 'notes' });
    const config = await loadConfig(paths);
    const now = () => new Date('2026-06-01T12:00:00.000Z');
    const results = await Promise.all(Array.from({ length: 6 }, () => createBackup({ paths, config, now })));
    const names = results.map((r) => path.basename(r.archive as string));
    expect(new Set(names).size).toBe(6);
    for (const r of results) expect((await verifyArchive(r.archive as string)).ok).toBe(true);
    const catalog = await listArchives({ dir: config.backupDir, stateDir: paths.stateDir, profile: paths.profile });
    expect(catalog.archives).toHaveLength(6);
  });
});
