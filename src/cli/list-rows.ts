import path from 'node:path';
import { escapeControl, formatBytes, formatLocalTime } from '../core/format.js';
import { newestBackupFirst } from '../core/store/catalog.js';
import { provenanceOf, type ProvenanceContext } from '../core/store/provenance.js';
import type { BackupListing, StoredBackup } from '../core/store/types.js';

/** A listed backup with what it is to this state. */
export interface ListRow {
  backup: StoredBackup;
  /** "in the future", "not made here", "another state's": shown after the components. */
  marks: string[];
  /** false: this state's record says it did not make it; true: it did; absent: unknown. */
  madeHere: boolean | undefined;
}

/** Every backup the listing shows (the suspect ones too, flagged), newest first, with its marks. */
export function listRows(listing: BackupListing, context: ProvenanceContext): ListRow[] {
  const all = [...(listing.suspect ?? []), ...listing.archives].sort(newestBackupFirst);
  const foreignView = listing.scope?.kind === 'repository';
  return all.map((backup) => {
    const marks: string[] = [];
    if (backup.suspect) marks.push(`${backup.suspect}: not counted`);
    const provenance = provenanceOf(backup, context);
    if (provenance.kind === 'not-made-here') marks.push('not made here');
    if (provenance.kind === 'other-state' && !foreignView) marks.push(`another state's (${provenance.why})`);
    const madeHere = provenance.kind === 'here' ? true : provenance.kind === 'unknown' ? undefined : false;
    return { backup, marks, madeHere };
  });
}

function describeContents(backup: StoredBackup): string {
  if (backup.unreadable) return `encrypted (cannot read: ${backup.unreadable})`;
  if (!backup.components) return backup.recognisedBy === 'tags' ? 'unknown (no components tag)' : 'encrypted';
  const parts = backup.components.join(',');
  return backup.encrypted ? `${parts} (encrypted)` : parts;
}

/**
 * The text table. Archives: created, size, archive, components. Snapshots add the host (a label), and a listing of
 * every state's snapshots adds each one's profile and state id.
 */
export function renderRows(rows: ListRow[], listing: BackupListing): string {
  const snapshots = rows.some((r) => r.backup.recognisedBy === 'tags') || listing.scope !== undefined;
  const everyState = listing.scope?.kind === 'repository';
  const columns: { title: string; cell: (b: StoredBackup) => string; right?: boolean; min?: number }[] = [
    { title: 'created (local)', cell: (b) => formatLocalTime(b.createdAt), min: 19 },
    { title: 'size', cell: (b) => (b.sizeUnknown ? '?' : formatBytes(b.bytes)), right: true, min: 10 },
    { title: snapshots ? 'snapshot' : 'archive', cell: (b) => path.basename(b.archive) },
  ];
  if (snapshots) columns.push({ title: 'host', cell: (b) => b.hostname ?? '?' });
  if (everyState) {
    columns.push({ title: 'profile', cell: (b) => b.profile });
    columns.push({ title: 'state', cell: (b) => b.stateId ?? '(before ids)' });
  }
  const cells = rows.map((r) => columns.map((c) => c.cell(r.backup)));
  const widths = columns.map((c, i) => Math.max(c.min ?? 0, c.title.length, ...cells.map((row) => (row[i] as string).length)));
  const pad = (text: string, i: number) => (columns[i]?.right ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number));
  const lines = [`${columns.map((c, i) => pad(c.title, i)).join('  ')}  components`];
  rows.forEach((row, r) => {
    const marks = row.marks.length ? `  [${row.marks.join('; ')}]` : '';
    lines.push(escapeControl(`${(cells[r] as string[]).map(pad).join('  ')}  ${describeContents(row.backup)}${marks}`));
  });
  return `${lines.join('\n')}\n`;
}
