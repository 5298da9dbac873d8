import path from 'node:path';
import { expandHome, isInside } from './paths.js';

export interface ExtraRoot {
  /** Absolute path as configured (after ~ expansion). */
  path: string;
  role: 'workspace' | 'agentDir';
  agentId?: string;
  /** The config key that named it, for doctor and remap messages. */
  keyPath: string;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * Workspaces and agent dirs named by the config: agents.defaults.workspace, agents.entries.<id>.workspace/agentDir,
 * and the older agents.list[] form. The default workspace is <stateDir>/workspace.
 */
export function discoverConfiguredRoots(openclaw: Record<string, unknown>, stateDir: string, home: string): ExtraRoot[] {
  const roots: ExtraRoot[] = [];
  const agents = (openclaw.agents ?? {}) as Record<string, unknown>;
  const defaults = (agents.defaults ?? {}) as Record<string, unknown>;
  const add = (value: unknown, role: ExtraRoot['role'], keyPath: string, agentId?: string) => {
    const raw = str(value);
    if (!raw) return;
    roots.push({ path: expandHome(raw, home, stateDir), role, keyPath, ...(agentId ? { agentId } : {}) });
  };

  add(defaults.workspace, 'workspace', 'agents.defaults.workspace');
  const entries = agents.entries;
  if (entries && typeof entries === 'object' && !Array.isArray(entries)) {
    for (const [id, entry] of Object.entries(entries as Record<string, unknown>)) {
      const e = (entry ?? {}) as Record<string, unknown>;
      add(e.workspace, 'workspace', `agents.entries.${id}.workspace`, id);
      add(e.agentDir, 'agentDir', `agents.entries.${id}.agentDir`, id);
    }
  }
  if (Array.isArray(agents.list)) {
    agents.list.forEach((entry, index) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const id = str(e.id) ?? String(index);
      add(e.workspace, 'workspace', `agents.list[${index}].workspace`, id);
      add(e.agentDir, 'agentDir', `agents.list[${index}].agentDir`, id);
    });
  }
  if (!roots.some((root) => root.role === 'workspace')) {
    roots.push({ path: path.join(stateDir, 'workspace'), role: 'workspace', keyPath: '(default workspace)' });
  }
  return roots;
}

/** Roots outside the state dir, deduplicated, with nested ones folded into their parent. */
export function externalRoots(roots: ExtraRoot[], stateDir: string): ExtraRoot[] {
  const outside = roots.filter((root) => !isInside(stateDir, root.path));
  const unique = new Map<string, ExtraRoot>();
  for (const root of outside) if (!unique.has(root.path)) unique.set(root.path, root);
  const list = [...unique.values()];
  return list.filter((root) => !list.some((other) => other !== root && isInside(other.path, root.path)));
}
