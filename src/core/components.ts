import path from 'node:path';
import picomatch from 'picomatch';
import { COMPONENTS, describeSelectorProblem, GLOB_CHARS, isComponent, type Component } from '../config/selectors.js';
import { UsageError } from '../errors.js';

export { COMPONENTS, isComponent, type Component };

/** What a backup takes when neither --only nor backup.include says otherwise: all but regenerable cache. */
export const DEFAULT_COMPONENTS: readonly Component[] = COMPONENTS.filter((c) => c !== 'cache');

/**
 * Files that are never archived: our own output, OpenClaw's runtime scratch, locks and lock coordinators
 * (opening those can block the live gateway), and SQLite side files (the database snapshot already holds their data).
 */
export function isNeverArchived(rel: string, basename = path.posix.basename(rel)): boolean {
  if (rel === 'tmp' || rel.startsWith('tmp/')) return true;
  if (rel === 'backups' || rel.startsWith('backups/')) return true;
  // Our own run record (restoring an old one would misreport the last run) and the state's id (a restore writes it
  // from the backup's header, re-homed: src/core/identity/).
  if (rel === 'openclaw-backup-status.json' || rel === 'openclaw-backup-id.json') return true;
  if (basename.endsWith('.pid') || basename.endsWith('.tmp') || basename.endsWith('.lock')) return true;
  if (basename.endsWith('.partial')) return true;
  if (basename.endsWith('.lock.sqlite') || /\.sqlite\.[^/]+\.sqlite$/.test(basename)) return true;
  if (/-(wal|shm|journal)$/.test(basename)) return true;
  return false;
}

const SLASH = 0x2f;

const MEMORY_IN_WORKSPACE = /^(MEMORY\.md|memory\.md|memory(\/.*)?)$/;

/** Component of a path relative to a workspace root. Memory notes are their own component. */
export function classifyWorkspacePath(rel: string): Component {
  return MEMORY_IN_WORKSPACE.test(rel) ? 'memory' : 'workspace';
}

/**
 * Component of a path relative to the state dir. Decisions (documented in README):
 * - state/openclaw.sqlite holds auth profiles, device identity and the secret store → credentials;
 * - agents/<id>/agent/openclaw-agent.sqlite holds sessions and transcripts → sessions.
 */
export function classifyStatePath(rel: string, workspaceRels: readonly string[] = ['workspace']): Component {
  // Called for every file of the state, twice a backup: no string is built before a rule needs it.
  for (const ws of workspaceRels) {
    if (rel === ws) return 'workspace';
    if (rel.length > ws.length && rel.charCodeAt(ws.length) === SLASH && rel.startsWith(ws))
      return classifyWorkspacePath(rel.slice(ws.length + 1));
  }
  if (rel === 'openclaw.json' || /^openclaw\.json5?(\.bak.*)?$/.test(rel)) return 'config';
  if (rel === 'credentials' || rel.startsWith('credentials/')) return 'credentials';
  if (rel === 'identity' || rel.startsWith('identity/')) return 'credentials';
  if (rel === '.env' || rel === 'state/openclaw.sqlite' || /^secrets?(\.|\/|$)/.test(rel) || rel.endsWith('.key')) return 'credentials';
  if (/^agents\/[^/]+\/agent\/(auth-profiles|auth)\.json$/.test(rel)) return 'credentials';
  if (/^agents\/[^/]+\/sessions(\/|$)/.test(rel)) return 'sessions';
  if (/^agents\/[^/]+\/agent\/openclaw-agent\.sqlite$/.test(rel)) return 'sessions';
  if (rel === 'memory' || rel.startsWith('memory/')) return 'memory';
  if (rel === 'logs' || rel.startsWith('logs/')) return 'logs';
  if (rel === 'cache' || rel.startsWith('cache/')) return 'cache';
  return 'state';
}

/** Component of a path relative to an agent dir that lives outside the state dir. */
export function classifyAgentDirPath(rel: string, agentId: string): Component {
  return classifyStatePath(`agents/${agentId}/agent/${rel}`, []);
}

/** Parses "config,credentials" into components; unknown names are a usage error listing the valid ones. */
export function parseComponentList(list: string): Component[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`no component named; valid components: ${COMPONENTS.join(', ')}`);
  for (const name of names) {
    if (!isComponent(name)) throw new UsageError(`unknown component "${name}"; valid components: ${COMPONENTS.join(', ')}`);
  }
  return [...new Set(names as Component[])];
}

export interface Selection {
  components: Set<Component>;
  includeGlobs: picomatch.Matcher | undefined;
  excludeGlobs: picomatch.Matcher | undefined;
}

/**
 * Builds the selection from --only (components only) or backup.include/exclude (components or globs).
 * A file is taken when its component is selected or it matches an include glob, and no exclude matches.
 */
export function buildSelection(options: {
  only?: Component[] | undefined;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  keyPrefix?: string;
}): Selection {
  const prefix = options.keyPrefix ?? 'backup';
  const split = (list: string[] | undefined, key: string) => {
    const components: Component[] = [];
    const globs: string[] = [];
    (list ?? []).forEach((item, index) => {
      const problem = describeSelectorProblem(item);
      if (problem) throw new UsageError(`${prefix}.${key}[${index}]: ${problem}`);
      if (isComponent(item)) components.push(item);
      else if (GLOB_CHARS.test(item)) globs.push(item);
    });
    return { components, globs };
  };
  const include = split(options.include, 'include');
  const exclude = split(options.exclude, 'exclude');
  let components: Set<Component>;
  if (options.only) components = new Set(options.only);
  else if (options.include) components = new Set(include.components);
  else components = new Set(DEFAULT_COMPONENTS);
  for (const c of exclude.components) components.delete(c);
  const matcher = (globs: string[]) => (globs.length ? picomatch(globs, { dot: true }) : undefined);
  return {
    components,
    includeGlobs: options.only ? undefined : matcher(include.globs),
    excludeGlobs: matcher(exclude.globs),
  };
}

export function isSelected(selection: Selection, component: Component, rel: string): boolean {
  if (selection.excludeGlobs?.(rel)) return false;
  return selection.components.has(component) || Boolean(selection.includeGlobs?.(rel));
}
