import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export type { Logger };

/** The daemon's log: one pino JSON object per line (`level`, `time`, `msg`, fields), synchronous writes. */
export function createJsonLogger(stream: NodeJS.WritableStream): Logger {
  return pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, stream);
}

const OMIT = new Set(['level', 'time', 'msg', 'pid']);

function formatField(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The same records as short text lines (`warn: msg key=value`) for people running `run` by hand. */
export function createTextLogger(stream: NodeJS.WritableStream): Logger {
  const text = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        const fields = Object.entries(record)
          .filter(([key, value]) => !OMIT.has(key) && value !== null && value !== undefined)
          .map(([key, value]) => `${key}=${formatField(value)}`);
        stream.write(`${String(record.level)}: ${String(record.msg)}${fields.length ? `  ${fields.join(' ')}` : ''}\n`);
      }
      callback();
    },
  });
  return pino({ base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } }, text);
}
