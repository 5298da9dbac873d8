import path from 'node:path';
import JSON5 from 'json5';

/**
 * A hand-made `tar -czf x .openclaw` does not record where the state dir was. Its openclaw.json usually does:
 * the first absolute path with a `<dirName>` component (e.g. /home/ada/.openclaw/workspace) names the old state dir.
 */
export function guessStateDirFromConfig(text: string | undefined, dirName: string): string | undefined {
  if (!text) return undefined;
  let data: unknown;
  try {
    data = JSON5.parse(text);
  } catch {
    return undefined;
  }
  const stack: unknown[] = [data];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node === 'string' && path.isAbsolute(node)) {
      const parts = node.split('/');
      const at = parts.indexOf(dirName);
      if (at > 0) return parts.slice(0, at + 1).join('/');
    } else if (node && typeof node === 'object') stack.push(...Object.values(node));
  }
  return undefined;
}
