import { formatBytes } from '../core/format.js';
import type { ProgressDone, ProgressPhase, ProgressReporter, ProgressTotals } from '../core/progress.js';

/** tty: one redrawn status line (like restic); plain: warnings only (pipes, logs); json: JSON lines. */
export type ProgressMode = 'tty' | 'plain' | 'json';

export interface ProgressRendererOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  mode: ProgressMode;
  now?: () => number;
}

const LABELS: Record<ProgressPhase, { verb: string; items: string }> = {
  backup: { verb: 'Backing up', items: 'files' },
  repository: { verb: 'Storing in repository', items: 'files' },
  verify: { verb: 'Verifying', items: 'entries' },
  restore: { verb: 'Restoring', items: 'entries' },
};

/** --json → JSON lines; a terminal → the status line; anything else → today's plain output. */
export function progressModeFor(stream: { isTTY?: boolean }, json: boolean): ProgressMode {
  return json ? 'json' : stream.isTTY ? 'tty' : 'plain';
}

/** 0:07, 12:34, 1:02:03 */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

interface Estimate {
  percent: number | undefined;
  rate: number | undefined;
  etaMs: number | undefined;
}

/** Percent of bytes (never 100 before the end), rate and ETA once a second of work gives a rate to go by. */
function estimate(done: ProgressDone, totals: ProgressTotals, elapsedMs: number): Estimate {
  const total = totals.bytes;
  const percent = total !== undefined && total > 0 ? Math.min(99.9, (done.bytes / total) * 100) : undefined;
  const rate = elapsedMs >= 1000 && done.bytes > 0 ? done.bytes / (elapsedMs / 1000) : undefined;
  const etaMs = rate !== undefined && total !== undefined ? (Math.max(0, total - done.bytes) / rate) * 1000 : undefined;
  return { percent, rate, etaMs };
}

/** The status line: `Backing up [0:03] 42.0%  12.3 MiB / 29.3 MiB  120 / 400 files  4.1 MiB/s  ETA 0:04`. */
export function formatProgressLine(phase: ProgressPhase, done: ProgressDone, totals: ProgressTotals, elapsedMs: number): string {
  const { verb, items } = LABELS[phase];
  const { percent, rate, etaMs } = estimate(done, totals, elapsedMs);
  const parts = [`${verb} [${formatClock(elapsedMs)}]`];
  if (percent !== undefined) parts.push(`${percent.toFixed(1)}%`);
  parts.push(totals.bytes !== undefined ? `${formatBytes(done.bytes)} / ${formatBytes(totals.bytes)}` : formatBytes(done.bytes));
  parts.push(totals.items !== undefined ? `${done.items} / ${totals.items} ${items}` : `${done.items} ${items}`);
  if (rate !== undefined) parts.push(`${formatBytes(rate)}/s`);
  if (totals.bytes !== undefined) parts.push(`ETA ${etaMs !== undefined ? formatClock(etaMs) : '-:--'}`);
  return parts.join('  ');
}

/** Renders core's progress reports on the CLI's stderr. */
export function createProgressRenderer(options: ProgressRendererOptions): ProgressReporter {
  const { stream, mode } = options;
  const now = options.now ?? Date.now;
  let phase: ProgressPhase = 'backup';
  let totals: ProgressTotals = {};
  let done: ProgressDone = { items: 0, bytes: 0 };
  let started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const json = (record: Record<string, unknown>) => stream.write(`${JSON.stringify(record)}\n`);
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  const draw = () => {
    const line = formatProgressLine(phase, done, totals, now() - started);
    const width = stream.columns ? stream.columns - 1 : line.length;
    stream.write(`\r\x1b[K${line.slice(0, width)}`);
    drawn = true;
  };
  const snapshot = (finished = false) => {
    const { percent: running, etaMs } = estimate(done, totals, now() - started);
    const percent = finished && running !== undefined ? 100 : running;
    return {
      phase,
      items: done.items,
      bytes: done.bytes,
      totalItems: totals.items ?? null,
      totalBytes: totals.bytes ?? null,
      percent: percent === undefined ? null : Number(percent.toFixed(1)),
      etaMs: etaMs === undefined ? null : Math.round(etaMs),
      elapsedMs: now() - started,
    };
  };
  return {
    start(next, nextTotals) {
      phase = next;
      totals = nextTotals;
      done = { items: 0, bytes: 0 };
      started = now();
      lastDraw = Number.NEGATIVE_INFINITY;
      if (mode === 'json') json({ type: 'start', phase, totalItems: totals.items ?? null, totalBytes: totals.bytes ?? null });
      // At once, so a first big file does not leave the terminal blank.
      if (mode === 'tty') {
        lastDraw = now();
        draw();
      }
    },
    update(next) {
      done = next;
      const at = now();
      if (mode === 'plain' || at - lastDraw < (mode === 'tty' ? 100 : 1000)) return;
      lastDraw = at;
      if (mode === 'tty') draw();
      else json({ type: 'progress', ...snapshot() });
    },
    warning(message) {
      if (mode === 'json') {
        json({ type: 'warning', message });
        return;
      }
      clear();
      stream.write(`warning: ${message}\n`);
      // Redraw at the next update, not after a pause.
      lastDraw = Number.NEGATIVE_INFINITY;
    },
    finish() {
      if (mode === 'tty') clear();
      if (mode === 'json') json({ type: 'finish', ...snapshot(true) });
    },
  };
}
