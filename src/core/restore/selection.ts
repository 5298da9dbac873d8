import picomatch from 'picomatch';
import { COMPONENTS, isComponent, type Component } from '../components.js';
import { UsageError } from '../../errors.js';

/**
 * What a selective restore brings back: whole components, and/or paths and globs as `ls` shows them (relative to
 * the state dir, e.g. `workspace/MEMORY.md`, `workspace/memory/**`; absolute for a root outside it). A plain path
 * also selects everything below it.
 */
export interface RestoreSelection {
  components: Component[];
  paths: string[];
}

const PATH_LIKE = /[/*?[\]{}.]/;

/**
 * `--only config,workspace/MEMORY.md,'workspace/memory/**'`: names that are components select components; anything
 * that looks like a path or glob selects paths; any other word is an unknown component (a typo is not a path).
 */
export function parseRestoreSelection(list: string): RestoreSelection {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--only: name components (${COMPONENTS.join(', ')}) or paths`);
  const selection: RestoreSelection = { components: [], paths: [] };
  for (const item of items) {
    if (isComponent(item)) selection.components.push(item);
    else if (PATH_LIKE.test(item)) selection.paths.push(item.replace(/^\.\//, '').replace(/\/+$/, ''));
    else
      throw new UsageError(
        `--only: unknown component "${item}"; valid components: ${COMPONENTS.join(', ')} (or a path such as workspace/MEMORY.md)`,
      );
  }
  return { components: [...new Set(selection.components)], paths: [...new Set(selection.paths)] };
}

/** A selection from the older `only: Component[]` form, too. */
export function toRestoreSelection(only: Component[] | RestoreSelection | undefined): RestoreSelection | undefined {
  if (!only) return undefined;
  return Array.isArray(only) ? { components: only, paths: [] } : only;
}

/** Whether an entry (its component and the path `ls` shows for it) is selected. */
export function selectsEntry(selection: RestoreSelection): (component: Component | undefined, displayPath: string) => boolean {
  const matchers = selection.paths.map((pattern) => picomatch(pattern, { dot: true }));
  return (component, displayPath) =>
    (component !== undefined && selection.components.includes(component)) ||
    selection.paths.some((p) => displayPath === p || displayPath.startsWith(`${p}/`)) ||
    matchers.some((match) => match(displayPath));
}

/** How a result names what was restored: "memory, workspace/MEMORY.md". */
export function describeSelection(selection: RestoreSelection | undefined): string[] | 'all' {
  return selection ? [...selection.components, ...selection.paths] : 'all';
}
