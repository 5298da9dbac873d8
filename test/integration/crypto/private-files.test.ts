import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { createBackup } from '../../../src/core/backup/create.js';
import { DatabaseChecker } from '../../../src/core/archive/db-check-worker.js';
import { makeFixtureHome, type FixtureHome } from '../../helpers/encrypted-fixture.js';
import { writeSecretFile } from '../../helpers/age.js';
import { silentProgress } from '../../../src/core/progress.js';

let fx: FixtureHome;
let previousUmask: number;
beforeAll(() => {
  fx = makeFixtureHome('ocb-private-');
  // umask 0 shows what we ask for at creation: nothing narrows it for us, and a chmod afterwards would be too late.
  previousUmask = process.umask(0);
});
afterAll(() => {
  process.umask(previousUmask);
  fs.rmSync(fx.root, { recursive: true, force: true });
});

/**
 * The modes of what is in `dir` now. The backup keeps running while we look: a file listed may be gone by its
 * lstat (SQLite's -journal beside a snapshot copy comes and goes), and one gone is not looked at.
 */
function modes(dir: string, filter: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(filter);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw error;
  }
  for (const name of names) {
    const abs = path.join(dir, name);
    const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!stat) continue;
    out[name] = (stat.mode & 0o777).toString(8);
    if (stat.isDirectory())
      Object.assign(out, Object.fromEntries(Object.entries(modes(abs, () => true)).map(([k, v]) => [`${name}/${k}`, v])));
  }
  return out;
}

it('staging dir 0700, snapshots, manifest and the partial archive 0600 from creation, under umask 0', async () => {
  const paths = resolveStatePaths({ env: { HOME: fx.home } });
  const config = await loadConfig(paths);
  const backupsDir = config.backupDir;
  const passphraseFile = writeSecretFile(path.join(fx.root, 'pass'), 'dummy passphrase 0000\n');
  const observed: Array<Record<string, string>> = [];
  const isTemp = (name: string) => name.startsWith('.openclaw-backup-staging-') || name.endsWith('.partial');
  // Each database snapshot is copied after the pause, beside the archive stream: look at the staging dir as each
  // copy is handed to integrity_check, i.e. right after it was written.
  const atChecks: Array<Record<string, string>> = [];
  class ObservingChecker extends DatabaseChecker {
    override async check(file: string, label?: string, options?: { immutable?: boolean }): Promise<void> {
      atChecks.push(modes(backupsDir, isTemp));
      return super.check(file, label, options);
    }
  }
  const result = await createBackup({
    paths,
    config,
    env: {},
    encrypt: { passphraseFile },
    databaseChecker: new ObservingChecker(),
    quiesce: {
      run: async (phase) => {
        const snapshots = await phase();
        observed.push(modes(backupsDir, isTemp));
        return snapshots;
      },
      heldMs: () => 0,
    },
    progress: {
      ...silentProgress,
      update: () => {
        if (observed.length < 2) observed.push(modes(backupsDir, isTemp));
      },
    },
  });
  const [afterPause, whileWriting] = observed as [Record<string, string>, Record<string, string>];
  const snapshotFiles = new Set(atChecks.flatMap((state) => Object.keys(state).filter((k) => /\/db-\d+-[^/]+\.sqlite$/.test(k))));
  expect(snapshotFiles.size).toBe(3);
  expect(Object.keys(whileWriting).some((k) => k.endsWith('/manifest.json'))).toBe(true);
  expect(Object.keys(whileWriting).some((k) => k.endsWith('.partial'))).toBe(true);
  for (const state of [afterPause, whileWriting, ...atChecks]) {
    for (const [name, mode] of Object.entries(state))
      expect(`${name} ${mode}`).toBe(`${name} ${name.includes('/') || name.endsWith('.partial') ? '600' : '700'}`);
  }
  expect(result.archive?.endsWith('.tar.gz.age')).toBe(true);
  expect(fs.statSync(result.archive as string).mode & 0o777).toBe(0o600);
  expect(fs.statSync(backupsDir).mode & 0o777).toBe(0o700);
  expect(fs.readdirSync(backupsDir).filter(isTemp)).toEqual([]);
}, 120_000);
