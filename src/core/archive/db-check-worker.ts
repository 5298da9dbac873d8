import { Worker } from 'node:worker_threads';
import { BackupError } from '../../errors.js';
import type { Timings } from './timings.js';
import { immutableUrl, judgeIntegrity, type IntegrityOutcome } from './sqlite-snapshot.js';

/**
 * The worker's whole program: PRAGMA integrity_check on each file it is sent, answered with the rows or SQLite's
 * error fields (judged on the main thread, like an in-thread check). Inline source, so the worker loads nothing of
 * ours and runs the same from dist/ and from the TypeScript sources under test.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const cpuMs = () => { const u = process.threadCpuUsage?.(); return u ? (u.user + u.system) / 1000 : 0; };
parentPort.on('message', ({ id, location }) => {
  const started = cpuMs();
  let db;
  try {
    db = new DatabaseSync(location, { readOnly: true });
    const rows = db.prepare('PRAGMA integrity_check').all().map((row) => row.integrity_check);
    parentPort.postMessage({ id, rows, cpuMs: cpuMs() - started });
  } catch (error) {
    const fields = { message: error.message, code: error.code, errcode: error.errcode, errstr: error.errstr };
    parentPort.postMessage({ id, error: fields, cpuMs: cpuMs() - started });
  } finally {
    try { db?.close(); } catch {}
  }
});
`;

interface Answer {
  id: number;
  /** The worker thread's CPU time for this check. */
  cpuMs?: number;
  rows?: string[];
  error?: { message: string; code?: string; errcode?: number; errstr?: string };
}

/** An error with SQLite's fields, as node:sqlite raises it, rebuilt from what the worker sent. */
function sqliteError(fields: NonNullable<Answer['error']>): Error {
  return Object.assign(new Error(fields.message), { code: fields.code, errcode: fields.errcode, errstr: fields.errstr });
}

/**
 * integrity_check off the main thread: it reads every page of a database (seconds for a large one), and on the main
 * thread it would stop the archive stream meanwhile. One worker, started on the first check, runs the checks in
 * order; a check throws exactly what checkIntegrity would (IntegrityError, or BackupError for the disk).
 */
export class DatabaseChecker {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (outcome: IntegrityOutcome) => void; reject: (error: unknown) => void }>();
  private failure: unknown;

  private readonly timings: Timings | undefined;
  private readonly workerSource: string;

  /** `workerSource` replaces the worker's program: tests pass one that fails. */
  constructor(options: { timings?: Timings | undefined; workerSource?: string } = {}) {
    this.timings = options.timings;
    this.workerSource = options.workerSource ?? WORKER_SOURCE;
  }

  async check(file: string, label = file, options: { immutable?: boolean } = {}): Promise<void> {
    const outcome = await this.run(file, options);
    await judgeIntegrity(outcome, file, label);
  }

  private run(file: string, options: { immutable?: boolean }): Promise<IntegrityOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.start();
    const id = (this.nextId += 1);
    const location = options.immutable ? immutableUrl(file).href : file;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, location });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerSource, { eval: true });
    worker.on('message', (answer: Answer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) worker.unref();
      this.timings?.add('dbCheck', answer.cpuMs ?? 0);
      waiter?.resolve(answer.rows ? { rows: answer.rows } : { error: sqliteError(answer.error ?? { message: 'no answer' }) });
    });
    worker.on('error', (error) =>
      this.fail(new BackupError('failure', `database check worker failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) => {
      if (this.waiting.size > 0) this.fail(new BackupError('failure', `database check worker exited (${code}) during a check`));
    });
    this.worker = worker;
    return worker;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    this.worker = undefined;
  }

  /** Stops the worker; a check still running ends with it (its caller has given up on it). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const waiter of this.waiting.values()) waiter.reject(new BackupError('failure', 'database check stopped'));
    this.waiting.clear();
    if (worker) await worker.terminate();
  }
}
