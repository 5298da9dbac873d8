import path from 'node:path';
import { classifyAgentDirPath, classifyStatePath, classifyWorkspacePath, type Component } from '../components.js';
import { ARCHIVE_ROOT, type ArchiveHeader, type Manifest } from '../archive/manifest.js';
import { handMadeSourcePath } from '../reader/archive-layout.js';
import type { NativeManifest } from '../reader/check-native.js';
import type { ScanResult, ScannedEntry } from '../reader/scan-archive.js';

export type RootRole = 'state' | 'workspace' | 'agentDir' | 'config' | 'linkTarget' | 'other';

/** One tree (or file) of the archive and the absolute path it had when the archive was made. */
export interface ArchiveRoot {
  id: string;
  role: RootRole;
  agentId?: string | undefined;
  /** Path below the staging dir. */
  archiveRel: string;
  /** Where its content was on the machine that made the archive (links resolved); undefined when a hand-made archive does not say. */
  source: string | undefined;
  /** The path the user named for it there (a symlink to `source`, or a path through one), when it differs. */
  linkPath?: string | undefined;
}

export interface ArchiveOrigin {
  roots: ArchiveRoot[];
  stateDir: string | undefined;
  home: string | undefined;
}

function homeOf(stateDir: string | undefined): string | undefined {
  return stateDir && path.basename(stateDir).startsWith('.openclaw') ? path.dirname(stateDir) : undefined;
}

const NATIVE_ROLES: Record<string, RootRole> = { state: 'state', workspace: 'workspace', config: 'config', agent: 'agentDir' };

/** The roots an archive holds and where they came from, whatever its format. */
export function describeOrigin(scan: ScanResult, guessStateDir: () => string | undefined): ArchiveOrigin {
  const layout = scan.layout;
  if (layout?.format === 'openclaw-backup') {
    const header = scan.header as ArchiveHeader;
    const roots = (scan.manifest as Manifest).roots.map((root) => ({
      id: root.id,
      role: root.role,
      agentId: root.agentId,
      archiveRel: root.archivePath.slice(ARCHIVE_ROOT.length + 1),
      source: root.path,
      linkPath: root.linkPath,
    }));
    return { roots, stateDir: header.stateDir, home: header.host?.home };
  }
  if (layout?.format === 'openclaw-native') {
    const manifest = scan.manifest as NativeManifest;
    const roots = manifest.assets.map((asset, index) => ({
      id: asset.kind === 'state' ? 'state' : `external-${index}`,
      role: NATIVE_ROLES[asset.kind] ?? 'other',
      archiveRel: asset.archivePath.slice(layout.prefix.length + 1),
      source: asset.sourcePath,
    }));
    return { roots, stateDir: manifest.paths.stateDir, home: homeOf(manifest.paths.stateDir) };
  }
  const stateDir = (layout && handMadeSourcePath(layout)) ?? guessStateDir();
  return { roots: [{ id: 'state', role: 'state', archiveRel: 'state', source: stateDir }], stateDir, home: homeOf(stateDir) };
}

/** The root an entry belongs to (the deepest containing one), and its path inside that root. */
export function rootOf<T extends ArchiveRoot>(roots: T[], rel: string): { root: T; inner: string } | undefined {
  let best: T | undefined;
  for (const root of roots) {
    if ((rel === root.archiveRel || rel.startsWith(`${root.archiveRel}/`)) && (!best || root.archiveRel.length > best.archiveRel.length))
      best = root;
  }
  return best ? { root: best, inner: rel.slice(best.archiveRel.length + 1) } : undefined;
}

/** Component of an entry by the same rules `create` uses (our own archives record it in the manifest instead). */
export function componentOf(roots: ArchiveRoot[], entry: ScannedEntry): Component | undefined {
  const found = rootOf(roots, entry.rel);
  if (!found) return undefined;
  const { root, inner } = found;
  if (root.role === 'config') return 'config';
  if (inner === '') return root.role === 'state' ? 'state' : 'workspace';
  if (root.role === 'workspace') return classifyWorkspacePath(inner);
  if (root.role === 'agentDir') return classifyAgentDirPath(inner, root.agentId ?? 'main');
  return root.role === 'state' ? classifyStatePath(inner) : 'state';
}

/** The path a root had as the user (and its config) named it. */
export function namedPath(root: ArchiveRoot): string | undefined {
  return root.linkPath ?? root.source;
}

/** The path users see for an entry below the staging layout: state-relative, or absolute under an outside root. */
export function displayPathOf(roots: ArchiveRoot[], rel: string): string {
  const found = rootOf(roots, rel);
  if (!found) return rel;
  const { root, inner } = found;
  if (root.role === 'state') return inner === '' ? '.' : inner;
  const base = root.source ?? `${root.id}`;
  return inner === '' ? base : path.posix.join(base, inner);
}
