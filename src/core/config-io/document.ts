import { z } from 'zod';
import { jsonRowsSchema } from '../sessions/document.js';
import type { AuthBundle } from './auth-stores.js';

export const CONFIG_FORMAT = 'openclaw-backup/config';
export const CONFIG_VERSION = 1;

export interface ConfigDocument {
  format: typeof CONFIG_FORMAT;
  version: typeof CONFIG_VERSION;
  /** "redacted": secrets are the placeholder; "included": real values (with --include-secrets or --full). */
  secrets: 'redacted' | 'included';
  /** Key paths whose values were replaced by the placeholder. */
  redacted?: string[];
  /** openclaw.json after JSON5 parsing. */
  config: Record<string, unknown>;
  /** Only with --full: credentials and auth profiles, wherever this OpenClaw version keeps them. */
  auth?: AuthBundle;
}

const rows = jsonRowsSchema;

export const configDocumentSchema = z.object({
  format: z.literal(CONFIG_FORMAT),
  version: z.literal(CONFIG_VERSION),
  secrets: z.enum(['redacted', 'included']),
  redacted: z.array(z.string()).optional(),
  config: z.record(z.string(), z.unknown()),
  auth: z
    .object({
      stateDb: rows,
      agents: z.record(z.string(), z.object({ tables: rows, legacyAuthProfiles: z.unknown().optional() })),
      credentials: z.array(z.object({ path: z.string().min(1), mode: z.number().int(), base64: z.string() })),
    })
    .optional(),
});
