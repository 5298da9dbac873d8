import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/**
 * Where a create run spends its time (issue 29), for `--log-level debug` and the bench. Phases follow one another
 * and carry wall time, the CPU of the whole process (every thread) and of the main thread; activities overlap (the
 * compressor lanes and the database worker run beside the main thread), so each is the time spent in it, summed.
 */
export type Activity =
  /** Main thread: readdir and lstat of the archive walk. */
  | 'walk'
  /** Main thread: reading files (in memory, or copied to staging when large). */
  | 'read'
  /** Main thread: SHA-256 of every file's bytes. */
  | 'hash'
  /** Main thread: tar headers and copying bytes into the tar stream. */
  | 'pack'
  /** Main thread: SHA-256 of the archive's bytes as they are written. */
  | 'archiveHash'
  /** Main thread, waiting: the compressor (or the disk) was behind. */
  | 'waitOutput'
  /** Main thread, waiting: a database snapshot was not copied and checked yet. */
  | 'waitDatabase'
  /** Thread pool: SQLite's backup API copying pinned databases, per database, summed. */
  | 'dbCopy'
  /** Worker thread: PRAGMA integrity_check (its thread's CPU time), summed. */
  | 'dbCheck'
  /** Thread pool: compressing blocks, per block, summed over the lanes. */
  | 'compress'
  /** Thread pool: writing the archive file, per write, summed (overlaps everything else). */
  | 'write'
  /** fsync of the archive before it is published. */
  | 'fsync';

export interface PhaseTime {
  ms: number;
  /** User + system CPU of the process (all threads) during the phase. */
  cpuMs: number;
  /** User + system CPU of the main thread, where the platform says (Node ≥ 23.9). */
  mainCpuMs?: number;
}

/** Absent before Node 23.9 (engines allows 22.16). */
const mainThreadCpu = (process as { threadCpuUsage?: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const round = (ms: number) => Math.round(ms * 10) / 10;

export class Timings {
  private readonly activities = new Map<Activity, number>();
  private readonly phases: Array<[string, PhaseTime]> = [];
  private phaseName: string | undefined;
  private phaseStart = { wall: 0, cpu: process.cpuUsage(), main: mainThreadCpu?.() };

  /** Ends the current phase (if any) and starts `name`. */
  phase(name: string): void {
    this.endPhase();
    this.phaseName = name;
    this.phaseStart = { wall: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpu?.() };
  }

  endPhase(): void {
    if (this.phaseName === undefined) return;
    const main = this.phaseStart.main && mainThreadCpu ? cpuMs(mainThreadCpu(this.phaseStart.main)) : undefined;
    this.phases.push([
      this.phaseName,
      {
        ms: round(performance.now() - this.phaseStart.wall),
        cpuMs: round(cpuMs(process.cpuUsage(this.phaseStart.cpu))),
        ...(main === undefined ? {} : { mainCpuMs: round(main) }),
      },
    ]);
    this.phaseName = undefined;
  }

  add(activity: Activity, ms: number): void {
    this.activities.set(activity, (this.activities.get(activity) ?? 0) + ms);
  }

  /** Runs a synchronous step and adds its wall time to `activity`. */
  time<T>(activity: Activity, step: () => T): T {
    const started = performance.now();
    try {
      return step();
    } finally {
      this.add(activity, performance.now() - started);
    }
  }

  /** Awaits `promise` and adds the wait to `activity`. */
  async wait<T>(activity: Activity, promise: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await promise;
    } finally {
      this.add(activity, performance.now() - started);
    }
  }

  /** Everything measured, in milliseconds, for the debug log. */
  report(): { phases: Record<string, PhaseTime>; activities: Partial<Record<Activity, number>> } {
    this.endPhase();
    return {
      phases: Object.fromEntries(this.phases),
      activities: Object.fromEntries([...this.activities].map(([k, v]) => [k, round(v)])),
    };
  }
}

const running = new AsyncLocalStorage<Timings>();

/**
 * Runs `step` with `timings` as the run's: the writer, the walk and the reads that a store sets up inside it find
 * them there (currentTimings), however many layers they were created through, and two backups in one process keep
 * their own. Like a logger's context, it only observes.
 */
export function withTimings<T>(timings: Timings, step: () => Promise<T>): Promise<T> {
  return running.run(timings, step);
}

/** The Timings of the create run this code is part of, if it is measured. */
export function currentTimings(): Timings | undefined {
  return running.getStore();
}
