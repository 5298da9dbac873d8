import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatClock, formatProgressLine, type ProgressMode } from '../../../src/output/progress.js';

function fakeStream(isTTY: boolean, columns?: number): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY,
    columns,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const MiB = 1024 * 1024;

function renderer(mode: ProgressMode, columns?: number) {
  const stream = fakeStream(mode === 'tty', columns);
  const time = clock();
  return { stream, time, progress: createProgressRenderer({ stream, mode, now: time.now }) };
}

describe('progress rendering', () => {
  it('formats elapsed time and ETA as restic does', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(7_400)).toBe('0:07');
    expect(formatClock(754_000)).toBe('12:34');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });

  it('shows percent of bytes, the total, the files and an ETA from the rate so far', () => {
    expect(formatProgressLine('backup', { items: 120, bytes: 10 * MiB }, { items: 400, bytes: 40 * MiB }, 2_000)).toBe(
      'Backing up [0:02]  25.0%  10.0 MiB / 40.0 MiB  120 / 400 files  5.0 MiB/s  ETA 0:06',
    );
    // Before a second has passed there is no rate to go by.
    expect(formatProgressLine('verify', { items: 3, bytes: MiB }, { bytes: 8 * MiB }, 200)).toBe(
      'Verifying [0:00]  12.5%  1.0 MiB / 8.0 MiB  3 entries  ETA -:--',
    );
    // Files that grew since the walk never make it claim 100% early.
    expect(formatProgressLine('restore', { items: 9, bytes: 9 * MiB }, { items: 9, bytes: 8 * MiB }, 3_000)).toContain('99.9%');
  });

  it('on a TTY redraws one line at most ten times a second, prints warnings on their own line, and clears at the end', () => {
    const { stream, time, progress } = renderer('tty', 70);
    progress.start('backup', { items: 4, bytes: 4 * MiB });
    time.advance(100);
    progress.update({ items: 1, bytes: MiB });
    time.advance(50);
    progress.update({ items: 2, bytes: 2 * MiB });
    expect(stream.text.split('\r\x1b[K').filter(Boolean)).toEqual([
      'Backing up [0:00]  0.0%  0 B / 4.0 MiB  0 / 4 files  ETA -:--',
      'Backing up [0:00]  25.0%  1.0 MiB / 4.0 MiB  1 / 4 files  ETA -:--',
    ]);
    progress.warning('workspace/a.md kept changing while it was read');
    time.advance(1_850);
    progress.update({ items: 3, bytes: 3 * MiB });
    progress.finish();
    expect(stream.text).toBe(
      '\r\x1b[KBacking up [0:00]  0.0%  0 B / 4.0 MiB  0 / 4 files  ETA -:--' +
        '\r\x1b[KBacking up [0:00]  25.0%  1.0 MiB / 4.0 MiB  1 / 4 files  ETA -:--' +
        '\r\x1b[Kwarning: workspace/a.md kept changing while it was read\n' +
        // Cut to the terminal's width, so \r\x1b[K always clears it.
        '\r\x1b[K' +
        'Backing up [0:02]  75.0%  3.0 MiB / 4.0 MiB  3 / 4 files  1.5 MiB/s  ETA 0:01'.slice(0, 69) +
        '\r\x1b[K',
    );
  });

  it('on a pipe prints only the warnings, as before', () => {
    const { stream, progress } = renderer('plain');
    progress.start('backup', { items: 1, bytes: 1 });
    progress.update({ items: 1, bytes: 1 });
    progress.warning('skipped /s/sock: not a regular file, directory or symlink');
    progress.finish();
    expect(stream.text).toBe('warning: skipped /s/sock: not a regular file, directory or symlink\n');
  });

  it('with --json writes JSON lines: start, progress at most once a second, warnings, finish', () => {
    const { stream, time, progress } = renderer('json');
    progress.start('restore', { items: 10, bytes: 1000 });
    progress.update({ items: 2, bytes: 100 });
    time.advance(500);
    progress.update({ items: 4, bytes: 300 });
    progress.warning('a warning');
    time.advance(1_500);
    progress.update({ items: 10, bytes: 1000 });
    progress.finish();
    const lines = stream.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.type)).toEqual(['start', 'progress', 'warning', 'progress', 'finish']);
    expect(lines[0]).toEqual({ type: 'start', phase: 'restore', totalItems: 10, totalBytes: 1000 });
    expect(lines[1]).toMatchObject({ items: 2, bytes: 100, percent: 10, etaMs: null });
    expect(lines[3]).toMatchObject({ items: 10, bytes: 1000, percent: 99.9, elapsedMs: 2000, etaMs: 0 });
    expect(lines[4]).toMatchObject({ type: 'finish', phase: 'restore', items: 10, bytes: 1000, percent: 100 });
  });
});
