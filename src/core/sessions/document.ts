import { z } from 'zod';
import type { JsonRow } from './sqlite-db.js';

export const SESSIONS_FORMAT = 'openclaw-backup/sessions';
export const SESSIONS_VERSION = 1;

export type StoreLayout = 'sqlite' | 'legacy';

/** One transcript event. `event` when the stored JSON text re-serializes byte for byte, else the exact `eventJson`. */
export interface TranscriptEvent {
  seq: number;
  createdAt?: number;
  /** How the SQLite store kept it: plain `event_json` or zstd-compressed `event_zstd`. */
  encoding?: 'json' | 'zstd';
  navigation?: unknown;
  event?: unknown;
  eventJson?: string;
}

export interface SessionWindow {
  sessionId: string;
  /** The session_windows row (SQLite layout). */
  row?: JsonRow;
  /** Transcript file name relative to the sessions dir (legacy layout). */
  file?: string;
  events: TranscriptEvent[];
}

export interface ExportedSession {
  key: string;
  agentId: string;
  sessionId: string;
  /** The session entry OpenClaw keeps (entry_json, or the sessions.json value). */
  entry?: unknown;
  entryJson?: string;
  windows: SessionWindow[];
  /** Every other session-scoped row of the SQLite store, by table. session_nodes has entry_json moved to `entry`. */
  rows?: Record<string, JsonRow[]>;
}

export interface AgentStoreInfo {
  layout: StoreLayout;
  /** SQLite layout: agent schema version and OpenClaw version that wrote it. */
  schemaVersion?: number;
  appVersion?: string | null;
  userVersion?: number;
  /** SQLite layout: rows that make an empty store (schema_meta, session_key_contract). */
  baseRows?: Record<string, JsonRow[]>;
  /** SQLite layout: the store's own DDL, so an import can create the store in a state that has none yet. */
  schema?: string[];
}

export interface SessionsDocument {
  format: typeof SESSIONS_FORMAT;
  version: typeof SESSIONS_VERSION;
  agents: Record<string, AgentStoreInfo>;
  sessions: ExportedSession[];
}

const jsonValue = z.union([z.string(), z.number(), z.null(), z.object({ $base64: z.string() }), z.object({ $int: z.string() })]);
const row = z.record(z.string(), jsonValue);
/** Table name → rows, values as in JsonSqlValue. */
export const jsonRowsSchema = z.record(z.string(), z.array(row));
const rows = jsonRowsSchema;

const eventSchema = z
  .object({
    seq: z.number().int(),
    createdAt: z.number().optional(),
    encoding: z.enum(['json', 'zstd']).optional(),
    navigation: z.unknown().optional(),
    event: z.unknown().optional(),
    eventJson: z.string().optional(),
  })
  .refine((e) => e.event !== undefined || e.eventJson !== undefined, { message: 'needs "event" or "eventJson"' });

export const sessionsDocumentSchema = z.object({
  format: z.literal(SESSIONS_FORMAT),
  version: z.literal(SESSIONS_VERSION),
  agents: z.record(
    z.string(),
    z.object({
      layout: z.enum(['sqlite', 'legacy']),
      schemaVersion: z.number().int().optional(),
      appVersion: z.string().nullable().optional(),
      userVersion: z.number().int().optional(),
      baseRows: rows.optional(),
      schema: z.array(z.string()).optional(),
    }),
  ),
  sessions: z.array(
    z.object({
      key: z.string().min(1),
      agentId: z.string().min(1),
      sessionId: z.string().min(1),
      entry: z.unknown().optional(),
      entryJson: z.string().optional(),
      windows: z.array(
        z.object({ sessionId: z.string().min(1), row: row.optional(), file: z.string().optional(), events: z.array(eventSchema) }),
      ),
      rows: rows.optional(),
    }),
  ),
});

/** Keeps parsed JSON when it re-serializes to the same text, so the document is readable and the round trip exact. */
export function packJson(text: string): { value: unknown } | { text: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (JSON.stringify(value) === text) return { value };
  } catch {
    // not JSON: keep the text
  }
  return { text };
}

export function packEvent(text: string): Pick<TranscriptEvent, 'event' | 'eventJson'> {
  const packed = packJson(text);
  return 'value' in packed ? { event: packed.value } : { eventJson: packed.text };
}

export function eventText(event: TranscriptEvent): string {
  return event.eventJson ?? JSON.stringify(event.event);
}

export function entryText(session: ExportedSession): string {
  return session.entryJson ?? JSON.stringify(session.entry ?? {});
}
