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

/** Control characters (terminal escapes, newlines) in text an archive supplies, made visible: "\x1b" → "\\x1b". */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** "-rw-------", "drwx------", "lrwxrwxrwx" from an entry type and permission bits. */
export function formatMode(type: 'file' | 'directory' | 'symlink' | 'link', mode: number): string {
  const kind = type === 'directory' ? 'd' : type === 'symlink' ? 'l' : type === 'link' ? 'h' : '-';
  const bits = ['r', 'w', 'x'];
  let out = kind;
  for (let shift = 8; shift >= 0; shift -= 1) out += mode & (1 << shift) ? bits[(8 - shift) % 3] : '-';
  return out;
}
