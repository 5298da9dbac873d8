import type { Component } from '../components.js';
import type { BackupIndex, IndexEntry } from './index-types.js';

export interface BackupDiff {
  from: string;
  to: string;
  added: IndexEntry[];
  removed: IndexEntry[];
  /** In both, with other content (hash, or size and time where the archive has no hashes), type or link target. */
  changed: Array<{ path: string; component: Component | null; before: IndexEntry; after: IndexEntry; what: string[] }>;
  unchanged: number;
  /** Per component: how many entries were added, removed, changed. */
  byComponent: Record<string, { added: number; removed: number; changed: number }>;
}

function differences(a: IndexEntry, b: IndexEntry): string[] {
  if (a.type !== b.type) return ['type'];
  const what: string[] = [];
  if (a.type === 'file') {
    if (a.sha256 && b.sha256) {
      if (a.sha256 !== b.sha256) what.push('content');
    } else if (a.size !== b.size || a.mtime !== b.mtime) what.push('content');
  }
  if (a.type === 'symlink' && a.target !== b.target) what.push('target');
  if ((a.mode & 0o7777) !== (b.mode & 0o7777)) what.push('mode');
  return what;
}

/** What changed from backup `a` to backup `b`, entry by entry (directories count only when added or removed). */
export function diffBackups(a: BackupIndex, b: BackupIndex): BackupDiff {
  const before = new Map(a.entries.map((e) => [e.path, e]));
  const diff: BackupDiff = { from: a.archive, to: b.archive, added: [], removed: [], changed: [], unchanged: 0, byComponent: {} };
  const count = (component: Component | null, key: 'added' | 'removed' | 'changed') => {
    const bucket = (diff.byComponent[component ?? 'other'] ??= { added: 0, removed: 0, changed: 0 });
    bucket[key] += 1;
  };
  for (const entry of b.entries) {
    const old = before.get(entry.path);
    before.delete(entry.path);
    if (!old) {
      diff.added.push(entry);
      count(entry.component, 'added');
      continue;
    }
    const what = entry.type === 'directory' && old.type === 'directory' ? [] : differences(old, entry);
    if (what.length === 0) diff.unchanged += 1;
    else {
      diff.changed.push({ path: entry.path, component: entry.component, before: old, after: entry, what });
      count(entry.component, 'changed');
    }
  }
  for (const entry of before.values()) {
    diff.removed.push(entry);
    count(entry.component, 'removed');
  }
  return diff;
}
