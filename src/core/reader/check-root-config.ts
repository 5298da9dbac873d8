import path from 'node:path';
import JSON5 from 'json5';
import { discoverConfiguredRoots } from '../../config/workspaces.js';
import { followedLinkPaths } from '../../config/followed-links.js';
import type { VerifyProblem } from './scan-archive.js';
import { isObject } from '../is-object.js';

/** A root outside the state dir, by the path the user named for it when the archive was made. */
export interface NamedRoot {
  label: string;
  role: 'workspace' | 'agentDir' | 'config' | 'linkTarget' | 'other';
  /** The recorded path as the config named it (our `linkPath` when there was a link, else `path`). */
  named: string;
  /** linkTarget: the symlink (named in `followLinks`) whose target this root is. */
  link?: string | undefined;
}

export interface ConfigOrigin {
  stateDir: string;
  home: string | undefined;
  configPath: string | undefined;
}

export function parseConfigText(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const data: unknown = JSON5.parse(text);
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A root is restored only where a config names it: every workspace or agent dir the archive carries must be one its
 * own config lists (as create found them), and a config root must be the archive's config path. Anything else is a
 * path the archive alone names. `config` undefined means the config could not be read.
 */
export function rootsNotNamedByConfig(
  roots: NamedRoot[],
  config: Record<string, unknown> | undefined,
  origin: ConfigOrigin,
  where: string,
): VerifyProblem[] {
  const outside = roots.filter((root) => root.role !== 'config' || root.named !== origin.configPath);
  if (outside.length === 0) return [];
  if (!config)
    return outside.map((root) => ({
      path: where,
      reason: `${root.label} (${root.named}): the archive's config cannot be read, so nothing names this root`,
    }));
  const home = origin.home ?? path.dirname(origin.stateDir);
  const named = new Set(discoverConfiguredRoots(config, origin.stateDir, home).map((root) => root.path));
  const followed = new Set(followedLinkPaths(config, origin.stateDir, home));
  const problems: VerifyProblem[] = [];
  for (const root of outside) {
    if (root.role === 'linkTarget') {
      if (!root.link || !followed.has(root.link)) {
        problems.push({
          path: where,
          reason: `${root.label} (${root.named}) is the target of ${root.link ?? 'no link'}, which its config's followLinks does not name`,
        });
      }
    } else if (root.role === 'config')
      problems.push({
        path: where,
        reason: `${root.label} (${root.named}) is not the archive's config path ${origin.configPath ?? '(none)'}`,
      });
    else if (root.role === 'other' || !named.has(root.named)) {
      problems.push({
        path: where,
        reason: `${root.label} (${root.named}) is not a workspace or agent dir its config names; a root is restored only where a config names it`,
      });
    }
  }
  return problems;
}

const NATIVE_ROLES: Record<string, NamedRoot['role']> = { workspace: 'workspace', agent: 'agentDir', config: 'config' };

/** What the config check needs from an archive: its roots outside the state, where it came from, and its config entry. */
export interface ArchiveNaming {
  roots: NamedRoot[];
  origin: ConfigOrigin;
  /** The archive entry that holds the config restore puts in place. */
  configEntry: string;
  where: string;
}

/** Reads the naming facts out of an already validated header/manifest (ours) or native manifest. */
export function namingOf(format: string | undefined, header: unknown, manifest: unknown, prefix: string): ArchiveNaming | undefined {
  if (format === 'openclaw-backup' && isObject(header) && isObject(manifest) && Array.isArray(manifest.roots)) {
    const list = manifest.roots as Array<{
      id: string;
      role: NamedRoot['role'] | 'state';
      path: string;
      linkPath?: string;
      link?: string;
      archivePath: string;
    }>;
    const configRoot = list.find((root) => root.role === 'config');
    const roots = list
      .filter((root) => root.role !== 'state')
      .map((root) => ({
        label: `root ${root.id}`,
        role: root.role as NamedRoot['role'],
        named: root.linkPath ?? root.path,
        link: root.link,
      }));
    const host = isObject(header.host) ? header.host : {};
    return {
      roots,
      origin: {
        stateDir: String(header.stateDir),
        home: typeof host.home === 'string' ? host.home : undefined,
        configPath: typeof header.configPath === 'string' ? header.configPath : undefined,
      },
      configEntry: configRoot?.archivePath ?? 'openclaw-backup/state/openclaw.json',
      where: 'openclaw-backup/manifest.json',
    };
  }
  if (format === 'openclaw-native' && isObject(manifest) && Array.isArray(manifest.assets) && isObject(manifest.paths)) {
    const assets = manifest.assets as Array<{ kind: string; sourcePath: string; archivePath: string }>;
    const stateDir = String(manifest.paths.stateDir);
    const state = assets.find((asset) => asset.kind === 'state');
    const configAsset = assets.find((asset) => asset.kind === 'config');
    const roots = assets
      .map((asset, index) => ({
        label: `asset ${index} (${asset.kind})`,
        role: NATIVE_ROLES[asset.kind] ?? 'other',
        named: asset.sourcePath,
        kind: asset.kind,
      }))
      .filter((root) => root.kind !== 'state')
      .map(({ kind: _kind, ...root }) => root);
    return {
      roots,
      origin: {
        stateDir,
        home: path.basename(stateDir).startsWith('.openclaw') ? path.dirname(stateDir) : undefined,
        configPath: typeof manifest.paths.configPath === 'string' ? manifest.paths.configPath : undefined,
      },
      configEntry: configAsset?.archivePath ?? `${state?.archivePath ?? prefix}/openclaw.json`,
      where: `${prefix}/manifest.json`,
    };
  }
  return undefined;
}
