import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { escapeControl, escapeJsonText } from '../../../src/core/format.js';
import { createJsonLogger, createTextLogger } from '../../../src/output/logger.js';

const EVIL = 'a\u001b[2J\u001b[1;1Hok: all good\nfake line\r\u0007\u007f\u009b\u202e';

function capture(make: (s: PassThrough) => { warn: (f: Record<string, unknown>, m: string) => void }): string {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d) => (out += d));
  make(stream).warn({ file: EVIL }, `skipped ${EVIL}`);
  return out;
}

describe('control characters never reach a terminal raw', () => {
  it('escapeControl makes every C0/C1 control, DEL and bidi override visible', () => {
    expect(escapeControl(EVIL)).toBe('a\\x1b[2J\\x1b[1;1Hok: all good\\x0afake line\\x0d\\x07\\x7f\\x9b\\u202e');
    expect(escapeControl('plain /path/ü')).toBe('plain /path/ü');
  });

  it('escapeJsonText keeps the JSON value while escaping what JSON.stringify leaves raw', () => {
    const json = JSON.stringify({ name: EVIL });
    const safe = escapeJsonText(json);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(safe)).toEqual({ name: EVIL });
  });

  it('text and JSON log lines escape them; the JSON line still parses to the same value', () => {
    const text = capture((s) => createTextLogger(s));
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text).not.toMatch(/[\u001b\u009b\u202e\r]/);
    expect(text).toContain('skipped a\\x1b[2J');
    const json = capture((s) => createJsonLogger(s));
    expect(json).not.toMatch(/[\u001b\u009b\u202e\u007f]/);
    expect(JSON.parse(json)).toMatchObject({ msg: `skipped ${EVIL}`, file: EVIL });
  });
});
