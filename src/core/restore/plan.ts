import path from 'node:path';
import type { Component } from '../components.js';
import { LOCK_NAME } from '../locks/lock.js';
import { namingOf } from '../reader/check-root-config.js';
import type { ScanResult, ScannedEntry } from '../reader/scan-archive.js';
import { decideDestinations, type DestinationContext, type PlacedRoot } from './destinations.js';
import { guessStateDirFromConfig } from './guess-origin.js';
import type { ArchiveRead } from './read-archive.js';
import { componentOf, describeOrigin, displayPathOf, rootOf, type ArchiveOrigin, type ArchiveRoot } from './roots.js';
import { selectsEntry, type RestoreSelection } from './selection.js';

/** What a restore will do, decided once from the one read: where every root goes, and which entries come back. */
export interface RestorePlan {
  origin: ArchiveOrigin;
  /** Every root with its destination, resolved on the live file system and checked. */
  roots: PlacedRoot[];
  /** Entries to restore, with their root and component. */
  selected: ScannedEntry[];
  componentOf: (entry: ScannedEntry) => Component | undefined;
  /** The user's links (relative to the target) a full restore carries into the restored state. */
  carry: string[];
  /** What the restore says about links it found in the way. */
  notes: string[];
}

export type PlanContext = Omit<DestinationContext, 'liveConfigInEffect'> & { only: RestoreSelection | undefined };

/** Hand-made archives can hold runtime scratch, our lock and the backups dir; those never come back. */
function isRuntimeOnly(inner: string): boolean {
  const top = inner.split('/')[0];
  return top === 'tmp' || top === 'backups' || top === LOCK_NAME;
}

/** A hand-made archive does not say where its state dir was; its openclaw.json (as read) usually does. */
function guessedStateDir(scan: ScanResult, configs: Map<string, string>): string | undefined {
  const layout = scan.layout;
  if (layout?.format !== 'hand-made') return undefined;
  return guessStateDirFromConfig(configs.get(`${layout.prefix}/openclaw.json`), path.basename(layout.prefix));
}

function selectEntries(scan: ScanResult, roots: ArchiveRoot[], only: RestoreSelection | undefined) {
  // Our manifest's components were recorded on each entry as it streamed (match-manifest.ts).
  const component = (entry: ScannedEntry) => entry.component ?? componentOf(roots, entry);
  const selected: ScannedEntry[] = [];
  const picks = only && selectsEntry(only);
  for (const entry of scan.entries.values()) {
    const found = rootOf(roots, entry.rel);
    if (!found) continue;
    if (found.root.role === 'state' && isRuntimeOnly(found.inner)) continue;
    if (picks && entry.kind !== 'directory' && !picks(component(entry), displayPathOf(roots, entry.rel))) continue;
    selected.push(entry);
  }
  return { selected, componentOf: component };
}

/**
 * Plans a restore once, from what the read proved: where the archive came from (a hand-made one's origin guessed
 * from its config), which entries the selection brings back, and where each root goes (destinations.ts). The dry
 * run, the preview and the restore itself all act on this one plan.
 */
export async function planRestore(read: Pick<ArchiveRead, 'scan' | 'configs'>, context: PlanContext): Promise<RestorePlan> {
  const { scan } = read;
  const origin = describeOrigin(scan, () => guessedStateDir(scan, read.configs));
  const { selected, componentOf } = selectEntries(scan, origin.roots, context.only);
  const naming = namingOf(scan.layout?.format, scan.header, scan.manifest, scan.layout?.prefix ?? '');
  const configRestored = naming !== undefined && selected.some((entry) => entry.name === naming.configEntry);
  const destinations = await decideDestinations(origin, { ...context, liveConfigInEffect: !context.copy && !configRestored });
  return { origin, roots: destinations.roots, selected, componentOf, carry: destinations.carry, notes: destinations.notes };
}
