import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../fs/atomic.js';
import type { LockOwner } from '../locks/lock-dir.js';
import { pathExists } from '../fs/exists.js';

/** One change the swap makes; written to the journal before it is made, so a kill at any point can be undone. */
export type SwapStep =
  | { op: 'mkdir'; path: string }
  | { op: 'move'; from: string; to: string }
  /** Across file systems (staging elsewhere than an external root): `from` stays, `to` is a new copy. */
  | { op: 'copy'; from: string; to: string }
  | { op: 'chmod'; path: string; from: number; to: number };

export interface JournalHeader {
  op: 'begin';
  version: 1;
  pid: number;
  /** The restore's target (state dir or --target): its operation lock guards the undo. */
  target: string;
  startedAt: string;
  /** The restore's identity (pid, start time, boot): tells a dead restore's journal from a running one's. */
  owner?: LockOwner;
}

/** Observes every step: 'before' once it is journaled, 'after' once it is done (progress, and tests that kill or fail there). */
export type SwapStepHook = (step: SwapStep & { index: number }, when: 'before' | 'after') => void | Promise<void>;

export const JOURNAL_FILE = 'journal.jsonl';

/** Every change the swap made, in order and on disk (write-ahead), so a failure or a kill can put everything back. */
export class SwapJournal {
  private readonly steps: SwapStep[] = [];
  private closed = false;

  private constructor(
    private readonly handle: FileHandle | undefined,
    private readonly onStep: SwapStepHook | undefined,
  ) {}

  /** A journal at `file` (the restore's staging dir); without a file it lives in memory only. */
  static async open(file: string | undefined, header: Omit<JournalHeader, 'op' | 'version'>, onStep?: SwapStepHook): Promise<SwapJournal> {
    const handle = file ? await fs.open(file, 'wx', 0o600) : undefined;
    const journal = new SwapJournal(handle, onStep);
    await journal.append({ op: 'begin', version: 1, ...header });
    return journal;
  }

  private async append(record: object): Promise<void> {
    if (!this.handle) return;
    await this.handle.write(`${JSON.stringify(record)}\n`);
    await this.handle.sync();
  }

  private async run(step: SwapStep, action: () => Promise<void>): Promise<void> {
    const index = this.steps.length;
    await this.append(step);
    this.steps.push(step);
    await this.onStep?.({ ...step, index }, 'before');
    await action();
    await this.onStep?.({ ...step, index }, 'after');
  }

  /** Renames `from` to `to` (never over an existing `to`), creating `to`'s missing parents. */
  async move(from: string, to: string): Promise<void> {
    await this.prepare(from, to, false);
    await this.run({ op: 'move', from, to }, () => fs.rename(from, to));
    await fsyncDir(path.dirname(to)).catch(() => {});
  }

  /** Like move, for staged content: across file systems it is copied instead (the staging dir goes anyway). */
  async place(from: string, to: string): Promise<void> {
    if (await this.prepare(from, to, true)) await this.run({ op: 'move', from, to }, () => fs.rename(from, to));
    else {
      await this.run({ op: 'copy', from, to }, () =>
        fs.cp(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false, preserveTimestamps: true }),
      );
    }
    await fsyncDir(path.dirname(to)).catch(() => {});
  }

  /** Parents, a free `to`; whether a rename can do it (same file system). */
  private async prepare(from: string, to: string, mayCopy: boolean): Promise<boolean> {
    await this.makeParents(path.dirname(to));
    if (await pathExists(to)) throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST', path: to });
    const [parent, source] = await Promise.all([fs.stat(path.dirname(to)), fs.lstat(from)]);
    if (parent.dev === source.dev) return true;
    if (mayCopy) return false;
    throw Object.assign(new Error(`cannot move ${from} to ${to}: they are on different file systems`), { code: 'EXDEV', path: from });
  }

  async makeParents(dir: string): Promise<void> {
    if (await pathExists(dir)) return;
    await this.makeParents(path.dirname(dir));
    await this.run({ op: 'mkdir', path: dir }, () => fs.mkdir(dir, { mode: 0o700 }));
  }

  async chmod(file: string, mode: number): Promise<void> {
    const stat = await fs.lstat(file);
    const from = stat.mode & 0o7777;
    if (from === mode || stat.isSymbolicLink()) return;
    await this.run({ op: 'chmod', path: file, from, to: mode }, () => fs.chmod(file, mode));
  }

  /** The swap is complete: a later recovery leaves it as it is. */
  async commit(): Promise<void> {
    await this.append({ op: 'commit' });
    await this.close();
  }

  /** Undoes every step, newest first. Returns what could not be undone (empty: all is as it was). */
  async rollback(): Promise<string[]> {
    const failures = await undoSteps(this.steps);
    if (failures.length === 0) await this.append({ op: 'undone' }).catch(() => {});
    await this.close();
    return failures;
  }

  /** Closes the journal file (idempotent): a restore that fails before its swap leaves it at "begin". */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle?.close().catch(() => {});
  }
}

async function undoStep(step: SwapStep): Promise<void> {
  if (step.op === 'mkdir') {
    if (await pathExists(step.path)) await fs.rmdir(step.path);
  } else if (step.op === 'chmod') {
    if (await pathExists(step.path)) await fs.chmod(step.path, step.from);
  } else if (step.op === 'copy') {
    await fs.rm(step.to, { recursive: true, force: true });
  } else {
    const [done, source] = [await pathExists(step.to), await pathExists(step.from)];
    if (done && !source) await fs.rename(step.to, step.from);
    else if (done && source) throw new Error(`cannot move ${step.to} back: ${step.from} exists again`);
    else if (!done && !source) throw new Error(`cannot move ${step.to} back to ${step.from}: neither exists`);
  }
}

/** Undoes journaled steps newest first; a step that never happened (killed before it) is skipped. */
export async function undoSteps(steps: SwapStep[]): Promise<string[]> {
  const failures: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await undoStep(step);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  return failures;
}

export interface JournalRead {
  header: JournalHeader | undefined;
  steps: SwapStep[];
  state: 'open' | 'committed' | 'undone';
}

/** Reads a journal; a torn last line (killed mid-write) is ignored, as its step never started. */
export async function readJournal(file: string): Promise<JournalRead | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const read: JournalRead = { header: undefined, steps: [], state: 'open' };
  for (const line of text.split('\n')) {
    let record: { op?: string };
    try {
      record = JSON.parse(line) as { op?: string };
    } catch {
      continue;
    }
    if (record.op === 'begin') read.header = record as JournalHeader;
    else if (record.op === 'commit') read.state = 'committed';
    else if (record.op === 'undone') read.state = 'undone';
    else if (record.op === 'mkdir' || record.op === 'move' || record.op === 'copy' || record.op === 'chmod')
      read.steps.push(record as SwapStep);
  }
  return read;
}

/** Replaces one file (or link) in a live tree, moving what was there into the rollback tree. */
export async function swapFile(journal: SwapJournal, staged: string, destination: string, rollback: string): Promise<boolean> {
  const replaced = await pathExists(destination);
  if (replaced) await journal.move(destination, rollback);
  await journal.place(staged, destination);
  return replaced;
}

export function rollbackPathFor(destination: string, stamp: string): string {
  return `${destination}.rollback-${stamp}`;
}

/** Removes a rollback dir that ended up holding nothing of the old state. */
export async function dropIfEmpty(dir: string | undefined): Promise<string | undefined> {
  if (!dir) return undefined;
  const names = await fs.readdir(dir).catch(() => undefined);
  if (names && names.length === 0) {
    await fs.rmdir(dir);
    return undefined;
  }
  return names ? dir : undefined;
}
