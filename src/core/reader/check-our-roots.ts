import path from 'node:path';
import { HEADER_PATH, MANIFEST_PATH, STATE_PREFIX } from '../archive/manifest.js';
import { unsafeNameReason } from './entry-guard.js';
import { badAbsolutePath, type DeclaredRoot } from './root-rules.js';
import type { VerifyProblem } from './scan-archive.js';
import { isObject } from '../is-object.js';

/** Root ids and agent ids are plain names, as create writes them ("state", "external-3", "main"). */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The only archive paths create gives roots that live outside the state dir. */
const EXTERNAL_DIR = /^openclaw-backup\/external\/[1-9][0-9]{0,5}$/;
const ROLES = new Set(['state', 'workspace', 'agentDir', 'config', 'linkTarget']);

function recordProblem(root: Record<string, unknown>, index: number): string | undefined {
  const id = root.id;
  if (typeof id !== 'string' || !PLAIN_NAME.test(id)) return 'id is not a plain name';
  if (typeof root.role !== 'string' || !ROLES.has(root.role)) return `unknown role ${String(root.role)}`;
  if (root.agentId !== undefined && (typeof root.agentId !== 'string' || !PLAIN_NAME.test(root.agentId)))
    return 'agentId is not a plain name';
  const archivePath = root.archivePath;
  if (typeof archivePath !== 'string') return 'archivePath missing';
  const unsafe = unsafeNameReason(archivePath);
  if (unsafe) return `archivePath is unsafe (${unsafe})`;
  if (root.role === 'state') {
    if (id !== 'state' || archivePath !== STATE_PREFIX || index !== 0)
      return `the state root must be the first, with id "state" and archivePath ${STATE_PREFIX}`;
  } else if (root.role === 'config') {
    const dir = path.posix.dirname(archivePath);
    if (!EXTERNAL_DIR.test(dir)) return 'archivePath is not openclaw-backup/external/<n>/<file>';
  } else if (!EXTERNAL_DIR.test(archivePath)) return 'archivePath is not openclaw-backup/external/<n>';
  const bad = badAbsolutePath(root.path);
  if (bad) return `path is unusable (${bad})`;
  if (root.role === 'linkTarget') {
    const badLink = badAbsolutePath(root.link);
    if (badLink) return `link is unusable (${badLink})`;
  }
  if (root.linkPath !== undefined) {
    const badLink = badAbsolutePath(root.linkPath);
    if (badLink) return `linkPath is unusable (${badLink})`;
  }
  return undefined;
}

/**
 * Validates every root record of our header and manifest like an entry path: plain ids, archive paths only where
 * create puts roots, absolute normalized recorded paths, header and manifest agreeing. Returns the roots for the
 * structural checks once every record is sound.
 */
export function checkOurRootRecords(header: unknown, manifest: unknown): { roots: DeclaredRoot[]; problems: VerifyProblem[] } {
  const problems: VerifyProblem[] = [];
  const h = isObject(header) ? header : {};
  const list = isObject(manifest) && Array.isArray(manifest.roots) ? manifest.roots : [];
  if (JSON.stringify(h.roots) !== JSON.stringify(list))
    problems.push({ path: HEADER_PATH, reason: 'header and manifest list different roots' });
  for (const [key, value] of [
    ['stateDir', h.stateDir],
    ['configPath', h.configPath],
  ] as const) {
    const bad = badAbsolutePath(value);
    if (bad) problems.push({ path: HEADER_PATH, reason: `${key} is unusable (${bad})` });
  }
  const home = isObject(h.host) ? h.host.home : undefined;
  if (home !== undefined && badAbsolutePath(home))
    problems.push({ path: HEADER_PATH, reason: `host.home is unusable (${badAbsolutePath(home)})` });
  const ids = new Set<string>();
  const archivePaths = new Set<string>();
  const roots: DeclaredRoot[] = [];
  list.forEach((root: unknown, index: number) => {
    if (!isObject(root)) {
      problems.push({ path: MANIFEST_PATH, reason: `root ${index} is not an object` });
      return;
    }
    const bad = recordProblem(root, index);
    if (bad) {
      problems.push({ path: MANIFEST_PATH, reason: `root ${index} (${String(root.id)}): ${bad}` });
      return;
    }
    const id = root.id as string;
    const archivePath = root.archivePath as string;
    if (ids.has(id)) problems.push({ path: MANIFEST_PATH, reason: `root id ${id} appears twice` });
    if (
      [...archivePaths].some((other) => other === archivePath || other.startsWith(`${archivePath}/`) || archivePath.startsWith(`${other}/`))
    ) {
      problems.push({ path: MANIFEST_PATH, reason: `root ${id}: archivePath ${archivePath} overlaps another root's` });
    }
    ids.add(id);
    archivePaths.add(archivePath);
    const paths = [root.path as string, ...(typeof root.linkPath === 'string' ? [root.linkPath] : [])];
    roots.push({ label: `root ${id}`, state: root.role === 'state', archivePath, file: root.role === 'config', paths });
  });
  const state = list[0] as Record<string, unknown> | undefined;
  if (problems.length === 0 && state && (state.linkPath ?? state.path) !== h.stateDir) {
    problems.push({ path: HEADER_PATH, reason: `stateDir ${String(h.stateDir)} is not the state root's path` });
  }
  return { roots, problems };
}

/** The entries restore reads and rewrites as the config: the state dir's openclaw.json and every config root. */
export function ourConfigEntries(roots: DeclaredRoot[]): string[] {
  return [`${STATE_PREFIX}/openclaw.json`, ...roots.filter((root) => root.file).map((root) => root.archivePath)];
}
