// A state for repository tests and the history benchmark: bench/generate.mjs's generator at a chosen size, and one
// night of realistic change (notes edited, database rows added, a transcript appended). Deterministic per night.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { generateState, PROFILES } from './generate.mjs';

/** Generates an OpenClaw-like state of about `bytes` bytes under stateDir. */
export function generateSizedState(stateDir, bytes, seed = 1) {
  const name = `sized-${bytes}`;
  // generateState takes a profile name; a sized profile is added beside small/medium/large for this call.
  PROFILES[name] ??= { bytes, files: Math.max(500, Math.round(bytes / 35_000)), agents: 2 };
  return generateState(stateDir, name, seed);
}

function filesUnder(dir, test) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function pickEvery(list, count, offset) {
  const out = [];
  for (let i = 0; i < count && list.length > 0; i += 1) out.push(list[(offset + i * 97) % list.length]);
  return [...new Set(out)];
}

/**
 * One night: `notes` notes edited (a line changed near the top and a paragraph appended), `rows` transcript rows
 * added to the main agent's database, `lines` lines appended to one session transcript (defaults 20, 400, 100).
 * Returns the bytes it wrote.
 */
export function applyNightlyChange(stateDir, night, { notes: noteCount = 20, rows = 400, lines: lineCount = 100 } = {}) {
  let written = 0;
  const notes = filesUnder(stateDir, (n) => n.endsWith('.md')).filter((f) => f.includes(`${path.sep}notes${path.sep}`));
  for (const file of pickEvery(notes, noteCount, night * 13)) {
    const text = fs.readFileSync(file, 'utf8');
    const cut = Math.min(200, text.length);
    const edited = `${text.slice(0, cut)} (edited night ${night})${text.slice(cut)}\n\nNight ${night}: ${'followed up on the plan, moved the meeting, noted the budget. '.repeat(8)}\n`;
    fs.writeFileSync(file, edited);
    written += edited.length - text.length;
  }
  const db = path.join(stateDir, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  if (rows > 0 && fs.existsSync(db)) {
    const handle = new DatabaseSync(db);
    const add = handle.prepare('INSERT INTO transcript_events (session_id, seq, role, body, created_at) VALUES (?, ?, ?, ?, ?)');
    handle.exec('BEGIN');
    for (let i = 0; i < rows; i += 1) {
      const body = JSON.stringify({
        type: 'message',
        night,
        i,
        text: `night ${night} turn ${i}: ${'the agent replied with a summary of the task and a draft. '.repeat(3)}`,
      });
      add.run(`night-${night}`, i, i % 2 ? 'assistant' : 'user', body, 1_800_000_000 + night * 86_400 + i);
      written += body.length + 40;
    }
    handle.exec('COMMIT');
    handle.close();
  }
  const transcripts = filesUnder(path.join(stateDir, 'agents', 'main', 'sessions'), (n) => n.endsWith('.jsonl'));
  const transcript = transcripts[night % Math.max(1, transcripts.length)];
  if (transcript && lineCount > 0) {
    const lines = Array.from({ length: lineCount }, (_, i) =>
      JSON.stringify({
        type: 'message',
        id: `n${night}-${i}`,
        message: { role: 'assistant', content: [{ type: 'text', text: `night ${night} line ${i}: done.` }] },
      }),
    ).join('\n');
    fs.appendFileSync(transcript, `${lines}\n`);
    written += lines.length + 1;
  }
  return written;
}
