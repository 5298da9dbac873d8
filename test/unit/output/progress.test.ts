import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../../src/output/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = { isTTY, text: '', write(chunk: string) { stream.text += chunk; return true; } };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('progress display', () => {
  it('draws files, bytes and rate on a TTY and clears the line when done', () => {
    const tty = fakeStream(true);
    const progress = createProgressDisplay(tty, 'Backing up');
    progress.update({ files: 12, bytes: 3 * 1024 * 1024 });
    expect(tty.text).toMatch(/\r\x1b\[KBacking up: 12 files, 3\.0 MiB \(.+\/s\)/);
    progress.done();
    expect(tty.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('draws nothing on a pipe', () => {
    const pipe = fakeStream(false);
    const progress = createProgressDisplay(pipe, 'Backing up');
    progress.update({ files: 1, bytes: 1 });
    progress.done();
    expect(pipe.text).toBe('');
  });
});
