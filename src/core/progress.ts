/**
 * How long work reports as it goes, like restic's archiver callbacks: create, verify and restore call it; the CLI
 * renders it (a TTY line with percent and ETA, JSON lines, or nothing). Core never prints.
 */
/** `repository`: restic reading the trees into a repository (its own --json status lines). */
export type ProgressPhase = 'backup' | 'repository' | 'verify' | 'restore';

/** What the phase will do, when known: files (items) and bytes. */
export interface ProgressTotals {
  items?: number | undefined;
  bytes?: number | undefined;
}

/** What is done so far in the current phase (cumulative). */
export interface ProgressDone {
  items: number;
  bytes: number;
}

export interface ProgressReporter {
  start(phase: ProgressPhase, totals: ProgressTotals): void;
  update(done: ProgressDone): void;
  warning(message: string): void;
  /** The phase ended (also when it failed). */
  finish(): void;
}

export const silentProgress: ProgressReporter = { start() {}, update() {}, warning() {}, finish() {} };
