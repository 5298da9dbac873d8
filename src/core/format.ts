/** Human-readable sizes and durations for text output. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1 file", "2 files", "0 databases". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** An ISO time as `2026-11-21 04:15:00` in the local time zone (TZ), for tables people read. */
export function formatLocalTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** C0 and C1 controls, DEL, and the bidi overrides that reorder what a terminal shows. */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const BEYOND_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

/**
 * Makes text safe to print: every control character (newline included, so a name cannot fake a line) becomes a
 * visible escape (`\x1b`, `\u202e`). Applied wherever text from an archive, a file name or a config reaches output.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** JSON text as JSON.stringify wrote it (C0 already escaped) with the rest as \u escapes: the same value when parsed. */
export function escapeJsonText(json: string): string {
  return json.replace(BEYOND_JSON, (c) => `\\u${hex(c, 4)}`);
}

/** "-rw-------", "drwx------", "lrwxrwxrwx" from an entry type and permission bits. */
export function formatMode(type: 'file' | 'directory' | 'symlink' | 'link', mode: number): string {
  const kind = type === 'directory' ? 'd' : type === 'symlink' ? 'l' : type === 'link' ? 'h' : '-';
  const bits = ['r', 'w', 'x'];
  let out = kind;
  for (let shift = 8; shift >= 0; shift -= 1) out += mode & (1 << shift) ? bits[(8 - shift) % 3] : '-';
  return out;
}
