import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseChecker } from '../../../src/core/archive/db-check-worker.js';
import { checkIntegrity } from '../../../src/core/archive/sqlite-snapshot.js';
import { BackupError, IntegrityError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/fixture.js';

const dirs: string[] = [];
const checkers: DatabaseChecker[] = [];
afterEach(async () => {
  for (const checker of checkers.splice(0)) await checker.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = makeTempDir();
  dirs.push(dir);
  return dir;
}

function checker(options?: ConstructorParameters<typeof DatabaseChecker>[0]): DatabaseChecker {
  const made = new DatabaseChecker(options);
  checkers.push(made);
  return made;
}

/** A database of a few hundred pages; `corrupt` overwrites some in the middle (the header survives). */
function database(dir: string, name: string, corrupt = false): string {
  const file = path.join(dir, name);
  const db = new DatabaseSync(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < 3000; i += 1) insert.run(`row ${i} ${'x'.repeat(200)}`);
  db.exec('COMMIT');
  db.close();
  if (corrupt) {
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, randomBytes(20 * 4096), 0, 20 * 4096, 40 * 4096);
    fs.closeSync(fd);
  }
  return file;
}

/** What the in-thread check throws, to compare with the worker's. */
async function thrownBy(check: () => Promise<void>): Promise<unknown> {
  return check().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('DatabaseChecker (integrity_check in a worker thread)', () => {
  it('passes a good database and judges a damaged one, a non-database and a missing file exactly as the in-thread check does', async () => {
    const dir = tempDir();
    const good = database(dir, 'good.sqlite');
    const damaged = database(dir, 'damaged.sqlite', true);
    const notDb = path.join(dir, 'not.sqlite');
    fs.writeFileSync(notDb, randomBytes(8192));
    const missing = path.join(dir, 'gone', 'missing.sqlite');
    const inWorker = checker();

    await expect(inWorker.check(good, 'good')).resolves.toBeUndefined();
    for (const file of [damaged, notDb, missing]) {
      const fromWorker = await thrownBy(() => inWorker.check(file, 'the label'));
      const inThread = await thrownBy(() => checkIntegrity(file, 'the label'));
      expect(fromWorker).toBeInstanceOf(BackupError);
      expect((fromWorker as Error).constructor).toBe((inThread as Error).constructor);
      expect((fromWorker as BackupError).kind).toBe((inThread as BackupError).kind);
      expect((fromWorker as Error).message).toBe((inThread as Error).message);
    }
    expect(await thrownBy(() => inWorker.check(damaged, 'the label'))).toBeInstanceOf(IntegrityError);
    expect(((await thrownBy(() => inWorker.check(missing, 'the label'))) as BackupError).kind).toBe('failure');
  });

  it('a worker that dies in the middle of a check fails that check and every later one with a typed error, and closes', async () => {
    const dir = tempDir();
    const good = database(dir, 'good.sqlite');
    const dying = checker({ workerSource: `require('node:worker_threads').parentPort.on('message', () => process.exit(7));` });
    const first = await thrownBy(() => dying.check(good));
    expect(first).toBeInstanceOf(BackupError);
    expect((first as BackupError).kind).toBe('failure');
    expect((first as Error).message).toMatch(/database check worker exited \(7\)/);
    const later = await thrownBy(() => dying.check(good));
    expect((later as BackupError).kind).toBe('failure');
    await expect(dying.close()).resolves.toBeUndefined();
  });

  it('a worker that throws fails the check with a typed error', async () => {
    const dir = tempDir();
    const good = database(dir, 'good.sqlite');
    const throwing = checker({
      workerSource: `require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom in the worker'); });`,
    });
    const error = await thrownBy(() => throwing.check(good));
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toMatch(/database check worker failed: boom in the worker/);
  });

  it('close() while a check is running ends that check with a typed error instead of leaving it pending', async () => {
    const dir = tempDir();
    const good = database(dir, 'good.sqlite');
    // A worker that never answers: the check would wait forever without close().
    const silent = checker({ workerSource: `require('node:worker_threads').parentPort.on('message', () => {});` });
    const pending = thrownBy(() => silent.check(good));
    await silent.close();
    const error = await pending;
    expect(error).toBeInstanceOf(BackupError);
    expect((error as Error).message).toBe('database check stopped');
  });
});
