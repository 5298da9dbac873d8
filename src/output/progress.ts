import { formatBytes } from '../core/format.js';

export interface ProgressSnapshot {
  files: number;
  bytes: number;
}

/**
 * A one-line progress display (files, bytes, rate) on a TTY stream, redrawn at most 10 times a second.
 * On a pipe it draws nothing.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream, label: string): { update(p: ProgressSnapshot): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} };
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const rate = p.bytes / Math.max(0.001, (now - started) / 1000);
      stream.write(`\r\x1b[K${label}: ${p.files} files, ${formatBytes(p.bytes)} (${formatBytes(rate)}/s)`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
