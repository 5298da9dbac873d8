import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, describeFsError } from '../../errors.js';
import { writeFileAtomic, ensurePrivateDir } from '../fs/atomic.js';
import { entryText, eventText, packEvent, packJson, type ExportedSession, type TranscriptEvent } from './document.js';
import { LEGACY_INDEX } from './stores.js';

function readIndex(sessionsDir: string): Record<string, unknown> {
  const file = path.join(sessionsDir, LEGACY_INDEX);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file}: ${describeFsError(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`${file}: expected an object of session entries`);
  return parsed as Record<string, unknown>;
}

function transcriptName(entry: Record<string, unknown>, sessionId: string, sessionsDir: string): string {
  const named = typeof entry.sessionFile === 'string' && entry.sessionFile.trim() ? path.basename(entry.sessionFile) : undefined;
  if (named && fs.existsSync(path.join(sessionsDir, named))) return named;
  return `${sessionId}.jsonl`;
}

function readTranscript(file: string): TranscriptEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`cannot read ${file}: ${describeFsError(error)}`, { cause: error });
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, seq) => ({ seq, ...packEvent(line) }));
}

/** Reads a legacy store: sessions.json (key → entry) and one <sessionId>.jsonl transcript per entry. */
export function readLegacyStore(sessionsDir: string, agentId: string): ExportedSession[] {
  const index = readIndex(sessionsDir);
  return Object.keys(index)
    .sort()
    .flatMap((key): ExportedSession[] => {
      const entry = index[key] as Record<string, unknown> | null;
      const sessionId = typeof entry?.sessionId === 'string' ? entry.sessionId : '';
      if (!entry || !sessionId) return [];
      const file = transcriptName(entry, sessionId, sessionsDir);
      return [{ key, agentId, sessionId, entry, windows: [{ sessionId, file, events: readTranscript(path.join(sessionsDir, file)) }] }];
    });
}

export function legacyKeys(sessionsDir: string): string[] {
  return Object.keys(readIndex(sessionsDir));
}

/**
 * Writes sessions into a legacy store. Transcripts are written first; sessions.json, replaced atomically, is the
 * commit point, and written transcripts are removed again when anything fails before it.
 */
export async function writeLegacyStore(sessionsDir: string, sessions: ExportedSession[], replaceKeys: Set<string>): Promise<void> {
  await ensurePrivateDir(sessionsDir);
  const index = readIndex(sessionsDir);
  const written: string[] = [];
  try {
    for (const session of sessions) {
      for (const window of session.windows) {
        const file = path.join(sessionsDir, path.basename(window.file ?? `${window.sessionId}.jsonl`));
        const body = window.events.map((e) => `${eventText(e)}\n`).join('');
        const existed = fs.existsSync(file);
        await writeFileAtomic(file, body);
        if (!existed) written.push(file);
      }
      if (replaceKeys.has(session.key) || !(session.key in index)) {
        const packed = packJson(entryText(session));
        index[session.key] = 'value' in packed ? packed.value : JSON.parse(packed.text);
      }
    }
    await writeFileAtomic(path.join(sessionsDir, LEGACY_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  } catch (error) {
    for (const file of written) fs.rmSync(file, { force: true });
    throw error;
  }
}
