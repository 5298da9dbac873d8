import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { escapeControl, escapeJsonText } from '../core/format.js';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Keys pino writes itself: a field of the same name would make the line carry the key twice. */
const RESERVED = new Set(['level', 'time', 'msg', 'pid']);

/**
 * Strict JSON consumers reject duplicate keys, so a field named like one of pino's own keys is renamed
 * (`time` → `field_time`) and the pid comes from a mixin, which a `pid` field replaces instead of repeating.
 */
function withoutReservedKeys(object: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(object).some((key) => RESERVED.has(key) && key !== 'pid')) return object;
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [RESERVED.has(key) && key !== 'pid' ? `field_${key}` : key, value]),
  );
}

/** The daemon's log: one pino JSON object per line (`level`, `time`, `pid`, fields, `msg`), synchronous writes. */
export function createJsonLogger(stream: NodeJS.WritableStream, level: LogLevel = 'info'): Logger {
  // JSON already escapes C0 controls; DEL, C1 and bidi overrides from file names become \u escapes too.
  const escaped = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stream.write(escapeJsonText(chunk.toString('utf8')));
      callback();
    },
  });
  return pino(
    {
      level,
      base: null,
      mixin: () => ({ pid: process.pid }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: withoutReservedKeys },
    },
    escaped,
  );
}

const OMIT = new Set(['level', 'time', 'msg', 'pid']);

function formatField(value: unknown): string {
  return escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The same records as short text lines (`warn: msg key=value`) for people running `run` by hand. */
export function createTextLogger(stream: NodeJS.WritableStream, level: LogLevel = 'info'): Logger {
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
  return pino(
    { level, base: null, timestamp: false, formatters: { level: (label) => ({ level: label }), log: withoutReservedKeys } },
    text,
  );
}
