import { Compile } from 'typebox/schema';

/**
 * Checks a backup block against a plugin `configSchema` the way OpenClaw 2026.9.6 does (TypeBox's JSON Schema
 * compiler, the same version): for doctor, which checks OpenClaw's installed copy, and for the writers of
 * openclaw.json, which must never write a block that stops the gateway.
 */

export interface SchemaProblem {
  /** Dotted path inside the block, "" for the block itself. */
  path: string;
  message: string;
}

interface TypeBoxError {
  instancePath?: string;
  message?: string;
  keyword?: string;
}

const compiled = new WeakMap<object, ReturnType<typeof Compile>>();

/** The problems OpenClaw would report for `block`, in its wording (`must be > 0`); empty when it accepts it. */
export function checkPluginSchema(schema: Record<string, unknown>, block: unknown): SchemaProblem[] {
  let validator = compiled.get(schema);
  if (!validator) compiled.set(schema, (validator = Compile(schema)));
  if (validator.Check(block)) return [];
  const [, errors] = validator.Errors(block) as unknown as [boolean, TypeBoxError[]];
  const problems = (errors ?? []).map((error) => ({
    path: (error.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.'),
    message: error.message ?? 'invalid',
  }));
  return problems.length ? problems : [{ path: '', message: 'invalid config' }];
}

/** One line per problem under a key prefix: `plugins.entries["openclaw-backup"].config.retention: must be > 0`. */
export function formatSchemaProblems(problems: readonly SchemaProblem[], prefix: string): string[] {
  return problems.map((p) => `${p.path ? `${prefix}.${p.path}` : prefix}: ${p.message}`);
}
