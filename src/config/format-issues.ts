import type { z } from 'zod';

/** Keys whose values may hold secrets or commands with secrets: never echoed in an error. */
const SECRET_KEYS =
  /^(postBackup|onFailure|monitor|encrypt|repository|passphrase.*|recipients.*|identity.*|token|apiKey|password|secret)$/i;

export function formatKeyPath(prefix: string, pathParts: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of pathParts) {
    out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  }
  return out;
}

function valueAt(input: unknown, pathParts: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of pathParts) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part as string];
  }
  return current;
}

function describeValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

type Issue = z.core.$ZodIssue;

/**
 * A union (retention: count or policy object) that fails in the one branch whose type matched reports that
 * branch's issues at their own key paths, instead of a bare "Invalid input" on the union's key.
 */
function expandUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const matched = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    // Only when the branch's issues point deeper (a key inside the policy object); a union's own message wins otherwise.
    if (matched.length !== 1 || (matched[0] as Issue[]).some((i) => i.path.length === 0)) return [issue];
    return expandUnions((matched[0] as Issue[]).map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue));
  });
}

/** One line per issue, `backup.retention: expected a positive integer, got -1`. */
export function formatZodIssues(error: z.ZodError, prefix: string, input: unknown): string[] {
  return expandUnions(error.issues).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatKeyPath(prefix, [...issue.path, key])}: unknown key`).join('; ');
    }
    const keyPath = formatKeyPath(prefix, issue.path);
    const secret = issue.path.some((part) => typeof part === 'string' && SECRET_KEYS.test(part));
    const got = secret ? undefined : describeValue(valueAt(input, issue.path));
    const missing = valueAt(input, issue.path) === undefined && issue.code === 'invalid_type';
    // A message that already quotes the value ('unknown component "sesions"') needs no ", got …".
    const quoted = got !== undefined && issue.message.includes(got);
    return `${keyPath}: ${issue.message}${missing ? ', got nothing' : got !== undefined && !quoted ? `, got ${got}` : ''}`;
  });
}
