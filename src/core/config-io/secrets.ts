/**
 * The secret rule: a string value whose key name ends with one of these words (case-insensitive, so `apiKey`,
 * `botToken`, `clientSecret`, `gateway.auth.token`, `OPENAI_API_KEY` all match; `maxTokens` does not). An
 * environment reference like "${OPENAI_API_KEY}" is not a secret and is kept.
 */
const SECRET_KEY = /(api[_-]?key|token|password|passwd|passphrase|secret|private[_-]?key|access[_-]?key|authorization|bearer|cookie)$/i;
const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** The placeholder that replaces a secret: the same sentinel OpenClaw uses when it shows a redacted config. */
export const SECRET_PLACEHOLDER = '__OPENCLAW_REDACTED__';

export type KeyPath = Array<string | number>;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** An age identity pasted anywhere (say, into backup.encrypt.recipients) is a secret by its shape alone. */
const AGE_SECRET = /^AGE-SECRET-KEY-/i;
/** A URL carrying a password (`rest:https://user:secret@host/`, a repository URL): a secret by its shape too. */
const URL_WITH_PASSWORD = /\/\/[^/@:\s]*:[^/@\s]+@/;

export function isSecretValue(key: string, value: unknown): value is string {
  if (typeof value === 'string' && AGE_SECRET.test(value.trim())) return true;
  if (typeof value === 'string' && URL_WITH_PASSWORD.test(value)) return true;
  return typeof value === 'string' && value !== '' && isSecretKey(key) && !ENV_REFERENCE.test(value);
}

export function formatPath(parts: KeyPath): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `${i ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`))
    .join('');
}

function mapDeep(value: unknown, visit: (key: string, value: unknown, path: KeyPath) => unknown, path: KeyPath = []): unknown {
  if (Array.isArray(value)) {
    // Items have no key of their own: only a value-shaped secret (an age identity) matches one.
    return value.map((item, i) => {
      const replaced = visit('', item, [...path, i]);
      return replaced === item ? mapDeep(item, visit, [...path, i]) : replaced;
    });
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const replaced = visit(key, child, [...path, key]);
      out[key] = replaced === child ? mapDeep(child, visit, [...path, key]) : replaced;
    }
    return out;
  }
  return value;
}

/** A copy with every secret replaced by the placeholder, and the paths that were replaced. */
export function redactSecrets<T>(value: T): { value: T; paths: string[] } {
  const paths: string[] = [];
  const out = mapDeep(value, (key, child, path) => {
    if (!isSecretValue(key, child) || child === SECRET_PLACEHOLDER) return child;
    paths.push(formatPath(path));
    return SECRET_PLACEHOLDER;
  });
  return { value: out as T, paths };
}

/** Paths whose value is the placeholder, anywhere in the value. */
export function findPlaceholders(value: unknown): KeyPath[] {
  const found: KeyPath[] = [];
  mapDeep(value, (_key, child, path) => {
    if (child === SECRET_PLACEHOLDER) found.push(path);
    return child;
  });
  return found;
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/**
 * Puts the real values back where the document has placeholders, taken from the same path of the current config.
 * Returns the paths that have no real value to keep.
 */
export function mergeBackSecrets<T>(incoming: T, current: unknown): { value: T; missing: string[]; kept: string[] } {
  const missing: string[] = [];
  const kept: string[] = [];
  const value = mapDeep(incoming, (_key, child, path) => {
    if (child !== SECRET_PLACEHOLDER) return child;
    const real = valueAt(current, path);
    if (typeof real === 'string' && real !== SECRET_PLACEHOLDER) {
      kept.push(formatPath(path));
      return real;
    }
    missing.push(formatPath(path));
    return child;
  });
  return { value: value as T, missing, kept };
}
