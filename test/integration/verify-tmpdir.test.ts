import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocs, tamperArchive } from '../helpers/craft.js';
import { countRows, makeTempDir, runCli } from '../helpers/fixture.js';
import { fixtureWithArchive, snapshotTree } from '../helpers/tree.js';
import { mountTmpfs, unmount } from '../reliability/helpers/mounts.js';

const MB = 1024 * 1024;
const BIG_DB = 'openclaw-backup/state/state/big.sqlite';

/** Issue 21.4: verify copies databases to $TMPDIR only after checking the space; restore checks them where it staged them. */
let sandbox: string;
let home: string;
let stateDir: string;
let archive: string;
let smallTmp: string;

beforeAll(async () => {
  sandbox = makeTempDir('ocb-tmpdir-');
  home = path.join(sandbox, 'home');
  ({ stateDir } = await fixtureWithArchive(home));
  const db = new DatabaseSync(path.join(stateDir, 'state', 'big.sqlite'));
  db.exec('CREATE TABLE blobs (b BLOB)');
  const insert = db.prepare('INSERT INTO blobs VALUES (?)');
  for (let i = 0; i < 24; i += 1) insert.run(randomBytes(MB));
  db.close();
  archive = path.join(sandbox, 'big.tar.gz');
  const created = await runCli(['create', '--output', archive], { env: { HOME: home } });
  expect(created.code, created.stderr).toBe(0);
  smallTmp = path.join(sandbox, 'small-tmp');
  mountTmpfs(smallTmp, 8 * MB);
});
afterAll(() => {
  if (smallTmp) unmount(smallTmp);
  fs.rmSync(sandbox, { recursive: true, force: true });
});

describe('databases and $TMPDIR', () => {
  it('verify with a $TMPDIR too small for a database: exit 1 naming the dir, before anything is copied there', async () => {
    const result = await runCli(['verify', archive], { env: { HOME: home, TMPDIR: smallTmp } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`not enough space in ${smallTmp} to check a database of 24\\.\\d MiB \\(.* free\\); set TMPDIR`),
    );
    expect(result.stderr).not.toMatch(/unexpected error|ENOSPC/);
    expect(fs.readdirSync(smallTmp)).toEqual([]);
  });

  it('restore with the same $TMPDIR succeeds: it checks the databases in its staging dir, never in $TMPDIR', async () => {
    const target = path.join(sandbox, 'copy');
    const result = await runCli(['restore', '--target', target, archive], { env: { HOME: home, TMPDIR: smallTmp } });
    expect(result.code, result.stderr).toBe(0);
    expect(await countRows(path.join(target, 'state', 'big.sqlite'), 'blobs')).toBe(24);
    expect(fs.readdirSync(target).filter((n) => /-(wal|shm)$/.test(n))).toEqual([]);
    expect(fs.readdirSync(path.join(target, 'state')).filter((n) => n.startsWith('big.sqlite-'))).toEqual([]);
    expect(fs.readdirSync(smallTmp)).toEqual([]);
    fs.rmSync(target, { recursive: true });
  });

  it('a database that fails integrity_check (hashes recomputed) is refused from its staged copy: exit 3, the live state untouched', async () => {
    const { manifest } = readDocs(archive);
    const entry = manifest.entries.find((e: { path: string }) => e.path === BIG_DB);
    const original = fs.readFileSync(path.join(stateDir, 'state', 'big.sqlite'));
    expect(original.length).toBe(entry.size);
    const corrupt = Buffer.from(original);
    // Twenty pages in the middle overwritten, as a failing disk would.
    for (let page = 10; page < 30; page += 1) randomBytes(4096).copy(corrupt, page * 4096);
    const bad = tamperArchive(archive, path.join(sandbox, 'corrupt.tar.gz'), () => {}, [], {
      [BIG_DB]: { name: BIG_DB, data: corrupt, mode: 0o600 },
    });
    const before = snapshotTree(home);
    const result = await runCli(['restore', '--force', bad], { env: { HOME: home, TMPDIR: smallTmp } });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /^openclaw-backup: openclaw-backup\/state\/state\/big\.sqlite: database failed integrity_check: [^\n]+\n$/,
    );
    expect(snapshotTree(home)).toEqual(before);
  });
});
