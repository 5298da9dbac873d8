import { describe, expect, it } from 'vitest';
import { createJsonLogger, createTextLogger } from '../../../src/output/logger.js';
import { parseStrictJson } from '../../helpers/strict-json.js';

function sink(): NodeJS.WritableStream & { lines: () => string[] } {
  let text = '';
  const stream = { write: (chunk: string) => ((text += chunk), true), lines: () => text.trim().split('\n') };
  return stream as unknown as NodeJS.WritableStream & { lines: () => string[] };
}

describe('loggers', () => {
  it('JSON lines never carry a key twice, whatever the fields are called', () => {
    const out = sink();
    const log = createJsonLogger(out);
    log.info({ pid: process.pid }, 'daemon stopped');
    log.info({ time: 'then', msg: 'field', level: 3, archive: 'a' }, 'reserved names');
    const [stopped, reserved] = out.lines().map((line) => parseStrictJson(line) as Record<string, unknown>);
    expect(stopped).toMatchObject({ level: 'info', pid: process.pid, msg: 'daemon stopped' });
    expect(reserved).toMatchObject({
      level: 'info',
      msg: 'reserved names',
      field_time: 'then',
      field_msg: 'field',
      field_level: 3,
      archive: 'a',
      pid: process.pid,
    });
  });

  it('the strict parser used on every daemon line does catch a duplicate key', () => {
    expect(() => parseStrictJson('{"level":"info","pid":1,"pid":1}')).toThrow(/duplicate key "pid"/);
    expect(parseStrictJson('{"a":[1,{"b":"x\\"y"}],"c":null}')).toEqual({ a: [1, { b: 'x"y' }], c: null });
  });

  it('honours the level: debug lines only at debug', () => {
    const info = sink();
    createTextLogger(info).debug({ ms: 3 }, 'snapshot phase done');
    expect(info.lines()).toEqual(['']);
    const debug = sink();
    createTextLogger(debug, 'debug').debug({ ms: 3 }, 'snapshot phase done');
    expect(debug.lines()).toEqual(['debug: snapshot phase done  ms=3']);
  });
});
