import path from 'node:path';
import { isInside } from '../../config/paths.js';
import { tooLongReason } from './entry-guard.js';
import type { ScannedEntry, VerifyProblem } from './scan-archive.js';

/**
 * Rules shared by every archive format for the roots it declares (our manifest's `roots`, OpenClaw's `assets`):
 * recorded paths are plain absolute paths, roots do not nest or swallow the state dir, and the entry that stands for
 * a root (and every parent of it) is a real directory, never a symlink the restore would follow.
 */

/** Why a recorded absolute path is unusable, or undefined. */
export function badAbsolutePath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'missing';
  if (!value.startsWith('/')) return 'not an absolute path';
  if (value === '/') return 'the file system root';
  if (value.includes('\0')) return 'NUL byte in path';
  const parts = value.slice(1).split('/');
  if (parts.includes('..')) return '".." path component';
  if (parts.some((part) => part === '' || part === '.')) return 'empty or "." path component';
  return tooLongReason(value.slice(1));
}

/** A root as the checks see it: what it is called, where its entries are, where it was. */
export interface DeclaredRoot {
  label: string;
  state: boolean;
  /** Archive path of the root's own entry. */
  archivePath: string;
  /** Whether the root is one file (a config outside the state dir) rather than a tree. */
  file: boolean;
  /** Every absolute path recorded for it (the real path and the path the user named). */
  paths: string[];
}

function ancestorsOf(name: string): string[] {
  const parts = name.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i += 1) out.push(parts.slice(0, i).join('/'));
  return out;
}

/**
 * Checks the roots against each other and against the entries: no root path contains the state dir or the home the
 * archive names, roots do not nest, a root's entry is a directory (a file for a config root) and no parent of it is
 * anything but a directory.
 */
export function checkDeclaredRoots(
  roots: DeclaredRoot[],
  entries: ReadonlyMap<string, ScannedEntry>,
  where: string,
  home?: string,
): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const byName = entries;
  const state = roots.find((root) => root.state);
  for (const root of roots) {
    const own = byName.get(root.archivePath);
    const want = root.file ? 'file' : 'directory';
    if (own && own.kind !== want)
      problems.push({
        path: root.archivePath,
        reason: `${root.label} is a ${own.kind} in the archive, not a ${want}: a root is never restored through a link`,
      });
    for (const ancestor of ancestorsOf(root.archivePath)) {
      const parent = byName.get(ancestor);
      if (parent && parent.kind !== 'directory')
        problems.push({ path: ancestor, reason: `a ${parent.kind} above ${root.label}: a root is never restored through a link` });
    }
    if (root.state) continue;
    for (const recorded of root.paths) {
      if (state?.paths.some((statePath) => isInside(recorded, statePath)))
        problems.push({ path: where, reason: `${root.label} (${recorded}) contains the state dir` });
      else if (home && isInside(recorded, home))
        problems.push({ path: where, reason: `${root.label} (${recorded}) contains the home dir ${home}` });
    }
    for (const other of roots) {
      if (other === root || other.state) continue;
      const nested = root.paths.some((a) => other.paths.some((b) => isInside(b, a)));
      if (nested && roots.indexOf(other) < roots.indexOf(root))
        problems.push({ path: where, reason: `${root.label} and ${other.label} overlap` });
    }
  }
  return problems;
}

/** Entries that belong to no declared root: restore would stage them and place them nowhere. */
export function entriesUnderNoRoot(roots: DeclaredRoot[], entries: Iterable<ScannedEntry>): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const entry of entries) {
    const covered = roots.some(
      (root) =>
        entry.name === root.archivePath || entry.name.startsWith(`${root.archivePath}/`) || root.archivePath.startsWith(`${entry.name}/`),
    );
    if (!covered) problems.push({ path: entry.name, reason: 'in the archive but under no root it declares' });
  }
  return problems;
}

/**
 * A root recorded inside the state dir (a workspace that was a symlink out of it) is restored where the state tree
 * would otherwise have that path: the state tree must not hold an entry there, nor anything but directories above it.
 */
export function checkRootsInsideState(
  roots: DeclaredRoot[],
  stateDir: string | undefined,
  stateArchivePath: string,
  entries: ReadonlyMap<string, ScannedEntry>,
): VerifyProblem[] {
  if (!stateDir) return [];
  const problems: VerifyProblem[] = [];
  const byName = entries;
  for (const root of roots) {
    if (root.state) continue;
    for (const recorded of root.paths) {
      if (!isInside(stateDir, recorded) || recorded === stateDir) continue;
      const name = `${stateArchivePath}/${path.posix.relative(stateDir, recorded)}`;
      const clash = byName.get(name);
      if (clash) problems.push({ path: name, reason: `the state tree holds a ${clash.kind} where ${root.label} (${recorded}) goes` });
      for (const ancestor of ancestorsOf(name)) {
        const parent = byName.get(ancestor);
        if (ancestor.length > stateArchivePath.length && parent && parent.kind !== 'directory') {
          problems.push({
            path: ancestor,
            reason: `a ${parent.kind} above ${root.label} (${recorded}): a root is never restored through a link`,
          });
        }
      }
    }
  }
  return problems;
}
