import { formatPath, isSecretKey, type KeyPath } from './secrets.js';
import { isObject } from '../is-object.js';

export interface ConfigChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
}

/** Key paths that differ between two configs, objects compared key by key, arrays and scalars as wholes. */
export function diffConfigs(before: unknown, after: unknown, path: KeyPath = []): ConfigChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      if (!(key in after)) return [{ path: formatPath([...path, key]), kind: 'removed' as const }];
      if (!(key in before)) return [{ path: formatPath([...path, key]), kind: 'added' as const }];
      return diffConfigs(before[key], after[key], [...path, key]);
    });
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: formatPath(path), kind: 'changed' }];
}

/** "~ gateway.port" lines; values are never shown, so a secret cannot leak into a terminal or a log. */
export function formatChanges(changes: ConfigChange[]): string[] {
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  return changes.map((c) => `  ${mark[c.kind]} ${c.path}${isSecretKey(c.path.split('.').pop() ?? '') ? ' (secret)' : ''}`);
}
