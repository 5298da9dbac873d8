import { ConfigError } from '../../errors.js';
import { formatZodIssues } from '../../config/format-issues.js';
import { z } from 'zod';

/** Parses a JSON document and checks its format name and version before anything else, with one-line errors. */
export function parseVersionedDocument<T>(text: string, source: string, format: string, version: number, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const hint = text.trim() === '' ? 'empty input' : `${(error as Error).message}; truncated or not JSON?`;
    throw new ConfigError(`${source}: not valid JSON (${hint})`, { cause: error });
  }
  const head = (data ?? {}) as { format?: unknown; version?: unknown };
  if (typeof data !== 'object' || data === null || head.format !== format) {
    throw new ConfigError(
      `${source}: not an ${format} document (expected "format": "${format}", got ${JSON.stringify(head.format ?? null)})`,
    );
  }
  if (head.version !== version) {
    throw new ConfigError(
      `${source}: document version ${JSON.stringify(head.version ?? null)} is not supported; this openclaw-backup reads version ${version}`,
    );
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issues = formatZodIssues(result.error, 'document', data);
    throw new ConfigError(`${source}: invalid document: ${issues.join('; ')}`, { details: { issues } });
  }
  return result.data;
}
