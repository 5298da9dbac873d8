import path from 'node:path';
import { badAbsolutePath, checkDeclaredRoots, type DeclaredRoot } from './root-rules.js';
import type { ScanResult, VerifyProblem } from './scan-archive.js';
import { isObject } from '../is-object.js';

/** The parts of OpenClaw's own backup manifest (schemaVersion 1) that we read. */
export interface NativeManifest {
  schemaVersion: number;
  archiveRoot: string;
  createdAt?: string;
  runtimeVersion?: string;
  paths: { stateDir: string; configPath?: string; workspaceDirs?: string[] };
  assets: Array<{ kind: string; sourcePath: string; archivePath: string }>;
}

/** Asset kinds this tool restores; OpenClaw marks what it covered by the state asset as skipped. */
const KINDS = new Set(['state', 'workspace', 'agent', 'config']);

/** An asset is validated like an entry: a known kind, a plain absolute sourcePath, its payload where the format puts it. */
function assetProblem(asset: unknown, prefix: string): string | undefined {
  if (!isObject(asset) || typeof asset.kind !== 'string' || typeof asset.archivePath !== 'string') return 'lacks a kind or an archivePath';
  if (!KINDS.has(asset.kind)) return `kind ${asset.kind} is not one this tool can restore`;
  const bad = badAbsolutePath(asset.sourcePath);
  if (bad) return `sourcePath is unusable (${bad})`;
  if (asset.archivePath !== `${prefix}/payload/posix${String(asset.sourcePath)}`)
    return `archivePath is not ${prefix}/payload/posix<sourcePath>`;
  return undefined;
}

/**
 * Checks an OpenClaw-native archive: the manifest parses and names this root, every asset's payload is present,
 * and every payload entry belongs to an asset. The format has no content hashes, so bytes cannot be proven.
 */
export function checkNativeArchive(scan: ScanResult): VerifyProblem[] {
  const prefix = scan.layout?.prefix ?? '';
  const manifestPath = `${prefix}/manifest.json`;
  const m = scan.manifest;
  if (!isObject(m)) return [{ path: manifestPath, reason: 'manifest missing: the archive is truncated or incomplete' }];
  if (m.schemaVersion !== 1)
    return [{ path: manifestPath, reason: `unsupported OpenClaw backup schemaVersion ${String(m.schemaVersion)}` }];
  if (!Array.isArray(m.assets) || !isObject(m.paths) || typeof m.paths.stateDir !== 'string') {
    return [{ path: manifestPath, reason: 'manifest lacks assets or paths.stateDir' }];
  }
  const problems: VerifyProblem[] = [];
  if (m.archiveRoot !== prefix)
    problems.push({
      path: manifestPath,
      reason: `archiveRoot ${String(m.archiveRoot)} does not match the archive's root folder ${prefix}`,
    });
  const assets = (m as unknown as NativeManifest).assets;
  const names = new Set(scan.entries.keys());
  const declared: DeclaredRoot[] = [];
  assets.forEach((asset, index) => {
    const bad = assetProblem(asset, prefix);
    if (bad) {
      problems.push({ path: manifestPath, reason: `asset ${index}: ${bad}` });
      return;
    }
    const present = names.has(asset.archivePath) || [...names].some((name) => name.startsWith(`${asset.archivePath}/`));
    if (!present) problems.push({ path: asset.archivePath, reason: `asset ${asset.kind} is in the manifest but missing from the archive` });
    declared.push({
      label: `asset ${index} (${asset.kind})`,
      state: asset.kind === 'state',
      archivePath: asset.archivePath,
      file: asset.kind === 'config',
      paths: [asset.sourcePath],
    });
  });
  const states = declared.filter((root) => root.state);
  if (states.length === 0) problems.push({ path: manifestPath, reason: 'manifest names no state asset' });
  else if (states.length > 1) problems.push({ path: manifestPath, reason: 'manifest names more than one state asset' });
  else if (states[0]?.paths[0] !== m.paths.stateDir)
    problems.push({ path: manifestPath, reason: `paths.stateDir ${m.paths.stateDir} is not the state asset's sourcePath` });
  if (problems.length) return problems;
  const stateDir = m.paths.stateDir;
  const home = path.basename(stateDir).startsWith('.openclaw') ? path.dirname(stateDir) : undefined;
  problems.push(...checkDeclaredRoots(declared, scan.entries, manifestPath, home));
  for (const root of declared) {
    if (!root.state && declared.some((other) => other !== root && root.archivePath.startsWith(`${other.archivePath}/`))) {
      problems.push({ path: manifestPath, reason: `${root.label} lies inside another asset` });
    }
  }
  const byName = scan.entries;
  for (const name of nativeConfigEntries(declared)) {
    const entry = byName.get(name);
    if (entry && entry.kind !== 'file')
      problems.push({
        path: name,
        reason: `the config is a ${entry.kind}, not a regular file: restore reads and rewrites it, and never through a link`,
      });
  }
  for (const entry of scan.entries.values()) {
    const covered = assets.some(
      (a) =>
        isObject(a) &&
        typeof a.archivePath === 'string' &&
        (entry.name === a.archivePath || entry.name.startsWith(`${a.archivePath}/`) || a.archivePath.startsWith(`${entry.name}/`)),
    );
    if (!covered) problems.push({ path: entry.name, reason: 'in the archive but under no asset of the manifest' });
  }
  return problems;
}

/** The entries restore reads and rewrites as the config: the state asset's openclaw.json and every config asset. */
export function nativeConfigEntries(roots: DeclaredRoot[]): string[] {
  return roots.flatMap((root) => (root.state ? [`${root.archivePath}/openclaw.json`] : root.file ? [root.archivePath] : []));
}
