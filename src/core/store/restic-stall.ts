import fs from 'node:fs/promises';

/** Bytes a long command must move (read or write, disk or network) to count as progress. */
const IO_PROGRESS_BYTES = 64 * 1024;

export interface StallWatch {
  /** Something moved: a status line with new counters, data on stdout. */
  progress(): void;
  /** Bytes the child wrote to our pipes: they are in its I/O counters but are not progress (status lines are). */
  output(bytes: number): void;
  stop(): void;
}

export interface StallWatchOptions {
  /** The child's pid: on Linux its /proc I/O counters show the data it moves, whatever the command prints. */
  pid: number | undefined;
  stallMs: number;
  onStall: () => void;
  /**
   * Whether the caller reports progress (status lines, data). Without it and without /proc (macOS), nothing could
   * tell a slow command from a stuck one: the watch then stands down rather than stop a long quiet restore.
   */
  reportsProgress: boolean;
}

async function ioBytes(pid: number): Promise<number | undefined> {
  try {
    const text = await fs.readFile(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    const total = field('rchar') + field('wchar');
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onStall` once when nothing has moved for `stallMs`: no progress reported by the caller (restic's --json
 * status counters, data read from its stdout) and, where /proc exists, no bytes read or written by the child beyond
 * what it printed to us. restic prints status lines at a steady rate even when stuck, so lines alone are not progress.
 */
export function watchStall(options: StallWatchOptions): StallWatch {
  let last = Date.now();
  let printed = 0;
  let mark: number | undefined;
  let sampling = false;
  let stopped = false;
  const sample = async () => {
    if (sampling || stopped) return;
    sampling = true;
    try {
      const io = options.pid === undefined ? undefined : await ioBytes(options.pid);
      if (io === undefined && mark === undefined && !options.reportsProgress) {
        stopped = true;
        clearInterval(timer);
        return;
      }
      if (io !== undefined) {
        const moved = io - printed;
        if (mark === undefined || moved >= mark + IO_PROGRESS_BYTES) {
          mark = moved;
          last = Date.now();
        }
      }
      if (!stopped && Date.now() - last >= options.stallMs) {
        stopped = true;
        clearInterval(timer);
        options.onStall();
      }
    } finally {
      sampling = false;
    }
  };
  const timer = setInterval(() => void sample(), Math.min(5_000, Math.max(50, Math.floor(options.stallMs / 4))));
  timer.unref();
  return {
    progress: () => {
      last = Date.now();
    },
    output: (bytes) => {
      printed += bytes;
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** restic's --json status line without its clocks: when this changes between two lines, restic has moved on. */
export function statusCounters(message: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(message).filter(([key]) => !key.startsWith('seconds_')));
}
