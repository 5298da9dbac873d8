import type { ScanResult, VerifyProblem } from './scan-archive.js';

/** The parts of OpenClaw's own backup manifest (schemaVersion 1) that we read. */
export interface NativeManifest {
  schemaVersion: number;
  archiveRoot: string;
  createdAt?: string;
  runtimeVersion?: string;
  paths: { stateDir: string; configPath?: string; workspaceDirs?: string[] };
  assets: Array<{ kind: string; sourcePath: string; archivePath: string }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
  if (m.schemaVersion !== 1) return [{ path: manifestPath, reason: `unsupported OpenClaw backup schemaVersion ${String(m.schemaVersion)}` }];
  if (!Array.isArray(m.assets) || !isObject(m.paths) || typeof m.paths.stateDir !== 'string') {
    return [{ path: manifestPath, reason: 'manifest lacks assets or paths.stateDir' }];
  }
  const problems: VerifyProblem[] = [];
  if (m.archiveRoot !== prefix) problems.push({ path: manifestPath, reason: `archiveRoot ${String(m.archiveRoot)} does not match the archive's root folder ${prefix}` });
  const assets = (m as unknown as NativeManifest).assets;
  const names = new Set(scan.entries.keys());
  for (const asset of assets) {
    if (!isObject(asset) || typeof asset.archivePath !== 'string' || typeof asset.sourcePath !== 'string' || !asset.sourcePath.startsWith('/')) {
      problems.push({ path: manifestPath, reason: 'an asset lacks an absolute sourcePath or an archivePath' });
      continue;
    }
    const present = names.has(asset.archivePath) || [...names].some((name) => name.startsWith(`${asset.archivePath}/`));
    if (!present) problems.push({ path: asset.archivePath, reason: `asset ${asset.kind} is in the manifest but missing from the archive` });
  }
  if (!assets.some((asset) => isObject(asset) && asset.kind === 'state')) problems.push({ path: manifestPath, reason: 'manifest names no state asset' });
  for (const entry of scan.entries.values()) {
    const covered = assets.some((a) => isObject(a) && typeof a.archivePath === 'string' && (entry.name === a.archivePath || entry.name.startsWith(`${a.archivePath}/`) || a.archivePath.startsWith(`${entry.name}/`)));
    if (!covered) problems.push({ path: entry.name, reason: 'in the archive but under no asset of the manifest' });
  }
  return problems;
}
