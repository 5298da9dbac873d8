import fs from 'node:fs';
import path from 'node:path';

/** Module of a file: src/<layer>, or inside src/core its top-level folder (a loose file is a module of its own). */
export function moduleOf(srcDir: string, file: string): string {
  const parts = path.relative(srcDir, file).split(path.sep);
  if (parts[0] !== 'core') return parts.length > 1 ? (parts[0] as string) : (parts[0] as string).replace(/\.ts$/, '');
  const inCore = parts.slice(1);
  return `core/${inCore.length > 1 ? inCore[0] : (inCore[0] as string).replace(/\.ts$/, '')}`;
}

const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

/** Edges between modules, from the relative imports (type imports too) of every .ts file below srcDir. */
export function moduleGraph(srcDir: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const files = fs.readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const rel of files) {
    const file = path.join(srcDir, rel);
    const from = moduleOf(srcDir, file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), match[1] as string);
      if (!target.startsWith(`${srcDir}${path.sep}`)) continue;
      const to = moduleOf(srcDir, target);
      if (to !== from) graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** The strongly connected components of more than one module (Tarjan): each is a cycle between modules. */
export function moduleCycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
