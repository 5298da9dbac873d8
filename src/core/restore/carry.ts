import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import {
  buildSelection,
  classifyAgentDirPath,
  classifyStatePath,
  classifyWorkspacePath,
  isComponent,
  isNeverArchived,
  isSelected,
  type Component,
  type Selection,
} from '../components.js';
import type { ArchiveHeader } from '../archive/manifest.js';
import { DAEMON_LOCK_NAME, LOCK_NAME } from '../locks/lock.js';
import { OP_LOCK_NAME, OP_SHARE_PREFIX } from '../locks/operation-lock.js';
import { STATUS_FILE } from '../status-record.js';
import { IDENTITY_FILE } from '../identity/identity-file.js';
import type { PlacedRoot } from './destinations.js';

/** "keep": stays in place, as it is. "mixed": a directory that stays while its other contents are swapped. */
export type KeepMark = 'keep' | 'mixed';

export interface CarryPlan {
  marks: Map<string, KeepMark>;
  /** Root-relative paths kept whole, outermost only. */
  carried: string[];
}

export interface CarryRules {
  /** Kept whatever the archive holds: our locks and status record, the backups dir. */
  pinned: (rel: string) => boolean;
  /** The archive's selection left this path out, so the archive says nothing about it. */
  leftOut: (rel: string) => boolean;
  /** Runtime files never archived (tmp/, SQLite -wal/-shm): they go with the old state. */
  neverArchived: (rel: string) => boolean;
  /** The archive restores this path (an entry, or a directory holding entries). */
  inArchive: (rel: string) => boolean;
}

interface Visit {
  kept: boolean;
  touched: boolean;
  marks: Array<[string, KeepMark]>;
}

/**
 * Decides what of a live root stays where it is during a full restore: pinned paths, and what the archive's
 * selection left out and the archive does not hold. A directory whose contents are all kept is kept whole; one that
 * holds both kept and replaced contents is "mixed" and stays, so nothing kept ever leaves its folder.
 */
export async function planCarry(root: string, rules: CarryRules): Promise<CarryPlan> {
  const visit = async (rel: string): Promise<Visit> => {
    const out: Visit = { kept: false, touched: false, marks: [] };
    const entries = await fs.readdir(rel ? path.join(root, rel) : root, { withFileTypes: true }).catch(() => []);
    for (const dirent of entries) {
      const child = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (rules.pinned(child)) {
        out.kept = true;
        out.marks.push([child, 'keep']);
        continue;
      }
      if (rules.neverArchived(child)) {
        out.touched = true;
        continue;
      }
      const archived = rules.inArchive(child);
      if (dirent.isDirectory()) {
        const sub = await visit(child);
        const empty = !sub.kept && !sub.touched;
        if ((sub.kept && !sub.touched && !archived) || (empty && !archived && rules.leftOut(child))) {
          out.kept = true;
          out.marks.push([child, 'keep']);
        } else if (sub.kept) {
          out.kept = true;
          out.touched = true;
          out.marks.push([child, 'mixed'], ...sub.marks);
        } else out.touched = true;
        continue;
      }
      if (!archived && rules.leftOut(child)) {
        out.kept = true;
        out.marks.push([child, 'keep']);
      } else out.touched = true;
    }
    return out;
  };
  const { marks } = await visit('');
  const reported = (rel: string) => !isOurLock(rel) && !isOurIdentity(rel);
  return { marks: new Map(marks), carried: marks.filter(([rel, mark]) => mark === 'keep' && reported(rel)).map(([rel]) => rel) };
}

/** Our locks in a state dir, and their temp dirs (top level only). */
function isOurLock(rel: string): boolean {
  return (
    !rel.includes('/') &&
    (rel.startsWith(OP_SHARE_PREFIX) ||
      [LOCK_NAME, DAEMON_LOCK_NAME, OP_LOCK_NAME].some((name) => rel === name || rel.startsWith(`${name}.`)))
  );
}

/** The state id file and its temp files: kept, and rewritten by the restore itself, so not "carried over" to report. */
function isOurIdentity(rel: string): boolean {
  return rel === IDENTITY_FILE || (rel.startsWith(`${IDENTITY_FILE}.`) && !rel.includes('/'));
}

/** Never swapped: our locks (a running daemon's stays put), the status record, the state id, and their temp files. */
export function isOurs(rel: string): boolean {
  return isOurLock(rel) || [STATUS_FILE, IDENTITY_FILE].some((file) => rel === file || (rel.startsWith(`${file}.`) && !rel.includes('/')));
}

/** The selection an archive was made with: its header's components and globs; old archives fall back to `exclude`. */
export function archiveSelection(header: ArchiveHeader | undefined, fallbackExclude: string[] | undefined): Selection | undefined {
  if (!header || !Array.isArray(header.components)) return undefined;
  const globs = (list: unknown) => (Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string' && !isComponent(g)) : []);
  const components = header.components.filter((c) => isComponent(c));
  const recorded = header.selection;
  try {
    return buildSelection({
      include: [...components, ...globs(recorded?.include)],
      exclude: globs(recorded ? recorded.exclude : fallbackExclude),
    });
  } catch {
    return undefined;
  }
}

export interface CarryContext {
  /** The restore target (the live state dir in place). */
  target: string;
  /** Whether this is an in-place restore of the live state (carry what the selection left out) or a --target copy. */
  inPlace: boolean;
  selection: Selection | undefined;
  /** The live backups dir, when it lies inside a restored root. */
  backupDir: string | undefined;
  /** The live openclaw.json (workspace locations inside the state dir decide components). */
  openclaw: Record<string, unknown> | undefined;
  home: string;
  /** The user's links inside the target (relative) that lead to roots of their own: kept as they are. */
  pinnedLinks?: string[] | undefined;
}

/** The carry rules for one root: what a backup of it would have taken, by the same rules `create` uses. */
export function carryRulesFor(root: PlacedRoot, live: string, context: CarryContext, inArchive: (rel: string) => boolean): CarryRules {
  const backupRel =
    context.backupDir && isInside(live, context.backupDir) && context.backupDir !== live
      ? path.relative(live, context.backupDir).split(path.sep).join('/')
      : undefined;
  const isState = root.role === 'state';
  const links = new Set((context.pinnedLinks ?? []).map((rel) => rel.split(path.sep).join('/')));
  const pinned = (rel: string) => rel === backupRel || (isState && (rel === 'backups' || isOurs(rel) || links.has(rel)));
  const selection = context.inPlace ? context.selection : undefined;
  let classify: (rel: string) => Component;
  let globPaths: (rel: string) => string[] = (rel) => [rel];
  if (isState) {
    const wsRels = discoverConfiguredRoots(context.openclaw ?? {}, context.target, context.home)
      .filter((r) => r.role === 'workspace' && isInside(context.target, r.path) && r.path !== context.target)
      .map((r) => path.relative(context.target, r.path).split(path.sep).join('/'));
    classify = (rel) => classifyStatePath(rel, wsRels.length ? wsRels : ['workspace']);
  } else if (root.role === 'workspace') {
    classify = classifyWorkspacePath;
    globPaths = (rel) => [rel, `workspace/${rel}`];
  } else if (root.role === 'agentDir') classify = (rel) => classifyAgentDirPath(rel, root.agentId ?? 'main');
  else classify = () => 'state';
  return {
    pinned,
    leftOut: (rel) => selection !== undefined && !globPaths(rel).some((p) => isSelected(selection, classify(rel), p)),
    neverArchived: (rel) => (isState ? isNeverArchived(rel) : isNeverArchived(`x/${rel}`)),
    inArchive,
  };
}
