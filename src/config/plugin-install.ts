import fs from 'node:fs/promises';
import path from 'node:path';
import JSON5 from 'json5';
import { expandHome } from './paths.js';
import { PLUGIN_ID } from './plugin-identity.js';

/** Where OpenClaw finds its copy of this plugin, and what that copy says. */
export interface PluginInstall {
  /** `copy`: `openclaw plugins install` copied the package to <state>/extensions/; `link`: `--link` recorded a path. */
  kind: 'copy' | 'link';
  root: string;
  /** The manifest OpenClaw validates our block with. */
  configSchema: Record<string, unknown> | undefined;
  version: string | undefined;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const data: unknown = JSON5.parse(await fs.readFile(file, 'utf8'));
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readInstall(kind: PluginInstall['kind'], root: string): Promise<PluginInstall | undefined> {
  const manifest = await readJson(path.join(root, 'openclaw.plugin.json'));
  if (manifest?.id !== PLUGIN_ID) return undefined;
  const pkg = await readJson(path.join(root, 'package.json'));
  const schema = manifest.configSchema;
  return {
    kind,
    root,
    configSchema: schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined,
    version: typeof pkg?.version === 'string' ? pkg.version : undefined,
  };
}

/** `plugins.load.paths` (where `--link` installs go), resolved as OpenClaw does ("~" is the home). */
function loadPaths(openclaw: Record<string, unknown>, home: string): string[] {
  const plugins = openclaw.plugins as { load?: { paths?: unknown } } | undefined;
  const paths = plugins?.load?.paths;
  return Array.isArray(paths)
    ? paths.filter((p): p is string => typeof p === 'string' && p.length > 0).map((p) => expandHome(p, home))
    : [];
}

/**
 * OpenClaw's copy of this plugin: a path from `plugins.load.paths` wins over <state>/extensions/ (OpenClaw's
 * precedence: config-selected first), or undefined when OpenClaw has none.
 */
export async function findPluginInstall(
  stateDir: string,
  openclaw: Record<string, unknown>,
  home: string,
): Promise<PluginInstall | undefined> {
  for (const root of loadPaths(openclaw, home)) {
    const linked = await readInstall('link', root);
    if (linked) return linked;
  }
  return readInstall('copy', path.join(stateDir, 'extensions', PLUGIN_ID));
}

/** `plugins.entries["openclaw-backup"]` as OpenClaw reads it. */
export function pluginEntry(openclaw: Record<string, unknown>): { present: boolean; enabled: boolean | undefined; hasConfig: boolean } {
  const entries = (openclaw.plugins as { entries?: Record<string, unknown> } | undefined)?.entries;
  const entry = entries?.[PLUGIN_ID] as { enabled?: unknown; config?: unknown } | undefined;
  return {
    present: entry !== undefined,
    enabled: typeof entry?.enabled === 'boolean' ? entry.enabled : undefined,
    hasConfig: entry?.config !== undefined,
  };
}
