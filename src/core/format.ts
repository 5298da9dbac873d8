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
