import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { createBackup } from '../../../src/core/backup/create.js';
import { openStore } from '../../../src/core/store/open-store.js';
import { resolveBackup } from '../../../src/core/store/resolve-backup.js';
import { verifyBackup } from '../../../src/core/store/verify-backup.js';
import { UsageError } from '../../../src/errors.js';
import { makeTempDir, writeTree } from '../../helpers/fixture.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Three backups of one state, made on 2026-01-01, 01-02 and 01-03 at noon local time. */
async function threeBackups() {
  const home = makeTempDir();
  made.push(home);
  writeTree(path.join(home, '.openclaw'), { 'openclaw.json': '{}', 'workspace/MEMORY.md': 'notes' });
  const paths = resolveStatePaths({ env: { HOME: home } });
  const config = await loadConfig(paths);
  const store = await openStore(paths, config);
  const archives: string[] = [];
  for (const day of [1, 2, 3]) {
    const result = await createBackup({ paths, config, store, now: () => new Date(2026, 0, day, 12, 0, 0) });
    archives.push(result.archive as string);
  }
  return { store, archives };
}

describe('resolveBackup: naming a backup in a store', () => {
  it('latest, a file name, a unique prefix, a date and a path', async () => {
    const { store, archives } = await threeBackups();
    const [first, second, third] = archives as [string, string, string];
    const pick = async (ref: string) => (await resolveBackup(store, ref)).backup?.archive;
    expect(await pick('latest')).toBe(third);
    expect(await pick(path.basename(first))).toBe(first);
    expect(await pick(path.basename(second).slice(0, 'openclaw-backup-default-20260102'.length))).toBe(second);
    expect(await pick('2026-01-02')).toBe(second);
    expect(await pick('2026-01-02T11:00')).toBe(first);
    expect(await pick('2026-01-05')).toBe(third);
    // A path is read as given, inside the store or not.
    const direct = await resolveBackup(store, first);
    expect(direct).toEqual({ input: first });
    const latest = await resolveBackup(store, 'latest');
    expect(latest.backup && (await verifyBackup(store, latest.backup)).ok).toBe(true);
  });

  it('an ambiguous prefix, no match, or an empty store is a usage error naming the store', async () => {
    const { store } = await threeBackups();
    const names = (await store.list()).archives.map((a) => path.basename(a.archive)).join(', ');
    await expect(resolveBackup(store, 'openclaw-backup-default-2026')).rejects.toThrow(
      new UsageError(`"openclaw-backup-default-2026" matches 3 backups in ${store.location}: ${names}; give more of the name`),
    );
    await expect(resolveBackup(store, 'nothing-like-it')).rejects.toThrow(
      /^no backup matches "nothing-like-it" in .*; see openclaw-backup list$/,
    );
    await expect(resolveBackup(store, '2025-12-31')).rejects.toThrow(/no backup matches "2025-12-31"/);
    for (const archive of (await store.list()).archives) fs.rmSync(archive.archive);
    await expect(resolveBackup(store, 'latest')).rejects.toThrow(`no backups in ${store.location} to choose "latest" from`);
  });
});
