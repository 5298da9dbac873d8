import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { escapeControl, escapeJsonText } from '../core/format.js';

export type { Logger };

/** The daemon's log: one pino JSON object per line (`level`, `time`, `msg`, fields), synchronous writes. */
export function createJsonLogger(stream: NodeJS.WritableStream): Logger {
  // JSON already escapes C0 controls; DEL, C1 and bidi overrides from file names become \u escapes too.
  const escaped = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stream.write(escapeJsonText(chunk.toString('utf8')));
      callback();
    },
  });
  return pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, escaped);
}

const OMIT = new Set(['level', 'time', 'msg', 'pid']);

function formatField(value: unknown): string {
  return escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
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
        stream.write(`${String(record.level)}: ${escapeControl(String(record.msg))}${fields.length ? `  ${fields.join(' ')}` : ''}\n`);
      }
      callback();
    },
  });
  return pino({ base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } }, text);
}
