import picomatch from 'picomatch';

/** Every file of a backup belongs to exactly one of these (classified in src/core/components.ts). */
export const COMPONENTS = ['config', 'credentials', 'sessions', 'memory', 'workspace', 'logs', 'cache', 'state'] as const;
export type Component = (typeof COMPONENTS)[number];

export function isComponent(name: string): name is Component {
  return (COMPONENTS as readonly string[]).includes(name);
}

/** An include/exclude item with one of these is a glob; anything else must be a component name. */
export const GLOB_CHARS = /[*?[\]{}/!]/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The component a misspelt name was probably meant to be. */
export function suggestComponent(name: string): Component | undefined {
  const ranked = COMPONENTS.map((c) => ({ c, d: distance(name.toLowerCase(), c) })).sort((x, y) => x.d - y.d)[0];
  return ranked && ranked.d <= 2 ? ranked.c : undefined;
}

/**
 * Why an include/exclude item can never select anything, or undefined when it is a component or a usable glob.
 * Checked when the config loads, so a typo fails `doctor`, `status` and a daemon reload, not only the next backup.
 */
export function describeSelectorProblem(item: string): string | undefined {
  if (isComponent(item)) return undefined;
  if (!GLOB_CHARS.test(item)) {
    const guess = suggestComponent(item);
    return `unknown component "${item}"${guess ? ` (did you mean "${guess}"?)` : ''}; valid components: ${COMPONENTS.join(', ')} (or a glob such as "workspace/**/*.md")`;
  }
  if (item.startsWith('/') || item.startsWith('~'))
    return `glob "${item}" is absolute; globs are relative to the state dir or a workspace, e.g. "workspace/**/*.md"`;
  if (item.split('/').includes('..'))
    return `glob "${item}" contains "..": globs are relative to the state dir or a workspace and cannot leave it`;
  try {
    picomatch.makeRe(item, { dot: true, strictBrackets: true });
  } catch (error) {
    return `glob "${item}" is not valid: ${(error as Error).message}`;
  }
  return undefined;
}
