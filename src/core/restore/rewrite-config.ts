import path from 'node:path';
import JSON5 from 'json5';
import { isInside } from '../../config/paths.js';

export interface PathRewrite {
  key: string;
  from: string;
  to: string;
}

export interface RewriteConfigOptions {
  mappings: Array<{ from: string; to: string }>;
  /** Home of the machine that made the archive: expands "~/" in old values. */
  oldHome: string | undefined;
  newHome: string;
}

function mapPath(value: string, options: RewriteConfigOptions): string | undefined {
  const tilde = value === '~' || value.startsWith('~/');
  if (tilde && !options.oldHome) return undefined;
  const abs = tilde ? path.join(options.oldHome as string, value.slice(1)) : value;
  if (!path.isAbsolute(abs)) return undefined;
  let best: { from: string; to: string } | undefined;
  for (const m of options.mappings) if (isInside(m.from, abs) && (!best || m.from.length > best.from.length)) best = m;
  if (!best) return undefined;
  const mapped = path.join(best.to, path.relative(best.from, abs));
  const meansNow = tilde ? path.join(options.newHome, value.slice(1)) : value;
  return mapped === meansNow ? undefined : mapped;
}

function collect(node: unknown, key: string, options: RewriteConfigOptions, out: PathRewrite[]): void {
  if (typeof node === 'string') {
    const to = mapPath(node, options);
    if (to) out.push({ key, from: node, to });
  } else if (Array.isArray(node)) node.forEach((item, i) => collect(item, `${key}[${i}]`, options, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) collect(v, key ? `${key}.${k}` : k, options, out);
  }
}

/**
 * Rewrites absolute paths in an openclaw.json (JSON5) that pointed into the old state dir or an old workspace.
 * Each string literal is replaced in the text, so comments and layout survive; when a value cannot be found
 * literally (escaped characters), the document is re-serialised as JSON.
 */
export function rewriteConfigPaths(text: string, options: RewriteConfigOptions): { text: string; rewrites: PathRewrite[] } {
  let data: unknown;
  try {
    data = JSON5.parse(text);
  } catch {
    return { text, rewrites: [] };
  }
  const rewrites: PathRewrite[] = [];
  collect(data, '', options, rewrites);
  if (rewrites.length === 0) return { text, rewrites };
  let out = text;
  let literal = true;
  for (const { from, to } of new Map(rewrites.map((r) => [r.from, r])).values()) {
    const before = out;
    for (const quote of ['"', "'"]) out = out.split(`${quote}${from}${quote}`).join(JSON.stringify(to));
    if (out === before) literal = false;
  }
  if (!literal) {
    const byValue = new Map(rewrites.map((r) => [r.from, r.to]));
    const replace = (node: unknown): unknown => {
      if (typeof node === 'string') return byValue.get(node) ?? node;
      if (Array.isArray(node)) return node.map(replace);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replace(v)]));
      return node;
    };
    out = `${JSON.stringify(replace(data), null, 2)}\n`;
  }
  return { text: out, rewrites };
}
