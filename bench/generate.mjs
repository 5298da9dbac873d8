// Deterministic generator of OpenClaw-like state dirs for `npm run bench`. Same profile + seed → same tree, same bytes
// (SQLite files aside: their page layout depends on the SQLite build, their rows do not).
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const GENERATOR_VERSION = 4;

/** bytes ≈ total content, files ≈ regular files written. */
export const PROFILES = {
  small: { bytes: 50e6, files: 2_000, agents: 2 },
  medium: { bytes: 500e6, files: 20_000, agents: 4 },
  large: { bytes: 2e9, files: 60_000, agents: 6 },
  // Memory flat in file count (issue 29): 200,000 files, most of them small notes.
  many: { bytes: 300e6, files: 200_000, agents: 4 },
};

const EPOCH = Date.UTC(2026, 10, 1) / 1000;

function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (arr) => arr[Math.floor(next() * arr.length)] };
}

const WORDS = (
  'the a to and of in is it you that for on with this be are can as I we your not have do if will at or so what my ' +
  'agent session memory backup gateway config model token prompt reply tool call file workspace note project task ' +
  'schedule meeting tomorrow yesterday today please thanks sure here there because should would could maybe later ' +
  'deploy server error fix bug test build release branch merge review docs write read update check run start stop ' +
  'calendar email message channel discord telegram slack whatsapp signal browser canvas search summary draft plan ' +
  'remember preference travel flight hotel dinner budget invoice report chart data table query result json yaml ' +
  'function return const let async await import export class interface type string number boolean array object'
).split(' ');
const ROLES = ['user', 'assistant', 'assistant', 'tool'];

function sentence(r, min = 4, max = 18) {
  const n = r.int(min, max);
  const out = new Array(n);
  for (let i = 0; i < n; i += 1) out[i] = WORDS[Math.floor(r.next() * WORDS.length)];
  out[0] = out[0][0].toUpperCase() + out[0].slice(1);
  return `${out.join(' ')}${r.pick(['.', '.', '?', '!', ':'])}`;
}

function paragraph(r, sentences) {
  const out = [];
  for (let i = 0; i < sentences; i += 1) out.push(sentence(r));
  return out.join(' ');
}

function markdownNote(r, bytes) {
  const parts = [`# ${sentence(r, 2, 6)}\n\n`];
  let size = parts[0].length;
  while (size < bytes) {
    const kind = r.int(0, 3);
    const block =
      kind === 0
        ? `## ${sentence(r, 2, 5)}\n\n`
        : kind === 1
          ? `- ${sentence(r)}\n- ${sentence(r)}\n\n`
          : `${paragraph(r, r.int(2, 5))}\n\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('').slice(0, Math.max(bytes, 16));
}

function transcriptLine(r, session, turn) {
  return JSON.stringify({
    type: 'message',
    id: `${session}-${turn}`,
    timestamp: new Date((EPOCH + turn * 37) * 1000).toISOString(),
    message: { role: r.pick(ROLES), content: [{ type: 'text', text: paragraph(r, r.int(1, 8)) }] },
    usage: { input: r.int(10, 9000), output: r.int(5, 2000) },
  });
}

/** Incompressible bytes, deterministic: AES-CTR keystream of a seed. */
function mediaBytes(seed, bytes) {
  const key = createHash('sha256').update(`media-${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes));
}

class Writer {
  constructor(root) {
    this.root = root;
    this.files = 0;
    this.bytes = 0;
    this.dirs = new Set();
  }
  write(rel, data, mode = 0o644) {
    const abs = path.join(this.root, rel);
    const dir = path.dirname(abs);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    fs.writeFileSync(abs, data, { mode });
    const t = EPOCH + this.files;
    fs.utimesSync(abs, t, t);
    this.files += 1;
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }
}

function configJson5(agents) {
  const entries = agents
    .map((id) => `      ${JSON.stringify(id)}: { workspace: "~/.openclaw/workspace-${id}", model: "anthropic/claude-sonnet" },`)
    .join('\n');
  return `// OpenClaw config (generated for the benchmark)
{
  meta: { lastTouchedVersion: "2026.9.6", lastTouchedAt: "2026-11-01T00:00:00.000Z" },
  gateway: { mode: "local", port: 18789, bind: "loopback", auth: { token: "bench-token-dummy" } },
  agents: {
    defaults: { workspace: "~/.openclaw/workspace", model: { primary: "anthropic/claude-sonnet" } },
    entries: {
${entries}
    },
  },
  channels: { telegram: { enabled: false }, discord: { enabled: false } },
  plugins: { entries: { "openclaw-backup": { config: { auto: true, schedule: "0 0 1 1 *", compress: "gzip", retention: 3 } } } },
}
`;
}

/** A WAL-mode database of sessions and transcript events, about `bytes` large. Leaves the -wal file un-checkpointed. */
function writeAgentDatabase(file, r, bytes, sessionPrefix) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA synchronous=OFF;');
  db.exec(`CREATE TABLE session_nodes (id TEXT PRIMARY KEY, key TEXT NOT NULL, created_at INTEGER, updated_at INTEGER, meta TEXT);
    CREATE TABLE transcript_events (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, seq INTEGER, role TEXT, body TEXT, created_at INTEGER);
    CREATE INDEX transcript_events_session ON transcript_events(session_id, seq);
    CREATE TABLE memory_chunks (id INTEGER PRIMARY KEY, path TEXT, text TEXT, embedding BLOB);`);
  const addSession = db.prepare('INSERT INTO session_nodes VALUES (?, ?, ?, ?, ?)');
  const addEvent = db.prepare('INSERT INTO transcript_events (session_id, seq, role, body, created_at) VALUES (?, ?, ?, ?, ?)');
  const addChunk = db.prepare('INSERT INTO memory_chunks (path, text, embedding) VALUES (?, ?, ?)');
  let size = 0;
  let s = 0;
  db.exec('BEGIN');
  while (size < bytes * 0.85) {
    const id = `${sessionPrefix}-${s}`;
    addSession.run(
      id,
      `agent:${sessionPrefix}:${s}`,
      EPOCH + s,
      EPOCH + s + 600,
      JSON.stringify({ channel: r.pick(['cli', 'telegram', 'discord']), turns: r.int(2, 80) }),
    );
    const turns = r.int(4, 40);
    for (let t = 0; t < turns; t += 1) {
      const body = transcriptLine(r, id, t);
      addEvent.run(id, t, r.pick(ROLES), body, EPOCH + s * 100 + t);
      size += body.length + 40;
    }
    if (s % 8 === 0) {
      const embedding = mediaBytes(`${sessionPrefix}-${s}`, 1536);
      addChunk.run(`memory/${s}.md`, paragraph(r, 4), embedding);
      size += 2000;
    }
    s += 1;
  }
  db.exec('COMMIT');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  // A last transaction that stays in the WAL, as a live gateway leaves it.
  db.exec('BEGIN');
  for (let t = 0; t < 50; t += 1) addEvent.run(`${sessionPrefix}-live`, t, 'assistant', transcriptLine(r, 'live', t), EPOCH + t);
  db.exec('COMMIT');
  // Copy db + wal aside before close() checkpoints them, then put them back: the WAL survives.
  const keep = fs.readFileSync(`${file}-wal`);
  const main = fs.readFileSync(file);
  db.close();
  fs.writeFileSync(file, main);
  fs.writeFileSync(`${file}-wal`, keep);
}

/** Writes the tree under `stateDir` and returns what was written. */
export function generateState(stateDir, profile, seed = 1) {
  const spec = PROFILES[profile];
  if (!spec) throw new Error(`unknown profile ${profile}; known: ${Object.keys(PROFILES).join(', ')}`);
  const r = rng(seed);
  const w = new Writer(stateDir);
  const agents = ['main', ...Array.from({ length: spec.agents - 1 }, (_, i) => `helper${i + 1}`)];
  const B = spec.bytes;

  w.write('openclaw.json', configJson5(agents), 0o600);
  for (let i = 1; i <= 3; i += 1) w.write(`openclaw.json.bak${i === 1 ? '' : `.${i}`}`, configJson5(agents.slice(0, i)), 0o600);
  w.write('.env', 'ANTHROPIC_API_KEY=sk-ant-bench-dummy-0000\n', 0o600);
  w.write('config-journal-fingerprint.key', createHash('sha256').update('fp').digest('hex').slice(0, 32), 0o600);
  w.write(
    'identity/device.json',
    JSON.stringify({ deviceId: 'bench-device', publicKey: createHash('sha256').update('pk').digest('base64') }, null, 2),
    0o600,
  );
  for (const id of agents)
    w.write(`credentials/${id}-oauth.json`, JSON.stringify({ provider: 'anthropic', access: `tok-${id}`, expires: EPOCH }, null, 2), 0o600);
  fs.mkdirSync(path.join(stateDir, 'tmp', 'openclaw-0'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'tmp', 'openclaw-0', 'gateway.bench.lock.sqlite'), '');
  fs.mkdirSync(path.join(stateDir, 'plugin-skills'), { recursive: true });
  fs.symlinkSync('/nonexistent/openclaw/dist/extensions/canvas/skills/canvas', path.join(stateDir, 'plugin-skills', 'canvas'));

  // Databases: ~35% of the bytes, most in the agents' session databases.
  writeAgentDatabase(path.join(stateDir, 'state', 'openclaw.sqlite'), r, Math.min(2e6, B * 0.02), 'state');
  for (const id of agents)
    writeAgentDatabase(path.join(stateDir, 'agents', id, 'agent', 'openclaw-agent.sqlite'), r, (B * 0.33) / agents.length, id);
  w.files += 1 + agents.length;
  w.bytes += B * 0.35;

  // Legacy JSONL transcripts (~12%), logs (~8%), incompressible media (~20%, a few files above the 8 MB in-memory limit).
  const jsonlFiles = Math.max(4, Math.round(spec.files * 0.02));
  for (let i = 0; i < jsonlFiles; i += 1) {
    const id = agents[i % agents.length];
    const target = (B * 0.12) / jsonlFiles;
    const lines = [];
    let size = 0;
    for (let t = 0; size < target; t += 1) {
      const line = transcriptLine(r, `${id}-${i}`, t);
      lines.push(line);
      size += line.length + 1;
    }
    w.write(`agents/${id}/sessions/${id}-${String(i).padStart(5, '0')}.jsonl`, `${lines.join('\n')}\n`, 0o600);
  }
  const logFiles = Math.max(2, Math.round(B / 50e6));
  for (let i = 0; i < logFiles; i += 1) {
    const target = (B * 0.08) / logFiles;
    const lines = [];
    let size = 0;
    for (let t = 0; size < target; t += 1) {
      const line = `{"time":"${new Date((EPOCH + t) * 1000).toISOString()}","level":${r.pick([30, 30, 30, 40, 50])},"subsystem":"${r.pick(['gateway', 'agent', 'channel'])}","msg":"${sentence(r)}"}`;
      lines.push(line);
      size += line.length + 1;
    }
    w.write(`logs/gateway-${i}.log`, `${lines.join('\n')}\n`);
  }
  const mediaTotal = B * 0.2;
  const bigMedia = Math.max(1, Math.round(mediaTotal / 100e6));
  for (let i = 0; i < bigMedia; i += 1) w.write(`media/inbound/video-${i}.mp4`, mediaBytes(`big-${i}`, 12e6), 0o600);
  const mediaFiles = Math.max(4, Math.round(spec.files * 0.015));
  const each = Math.max(1000, Math.floor((mediaTotal - bigMedia * 12e6) / mediaFiles));
  for (let i = 0; i < mediaFiles; i += 1)
    w.write(
      `media/inbound/${String(i).padStart(5, '0')}.${r.pick(['jpg', 'png', 'ogg', 'pdf'])}`,
      mediaBytes(`m-${i}`, r.int(each / 2, (each * 3) / 2)),
      0o600,
    );

  // Workspaces: every remaining file is a small note, code file or memory entry (~25% of the bytes).
  const remaining = Math.max(10, spec.files - w.files);
  const avg = Math.max(200, Math.floor((B * 0.25) / remaining));
  for (let i = 0; i < remaining; i += 1) {
    const ws = i % 5 === 0 ? 'workspace' : `workspace-${agents[i % agents.length]}`;
    const size = r.int(avg / 4, (avg * 7) / 4);
    const kind = r.int(0, 9);
    let rel;
    if (kind === 0) rel = `memory/2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}-${i}.md`;
    else if (kind <= 5) rel = `notes/${r.pick(WORDS)}/${r.pick(WORDS)}-${i}.md`;
    else rel = `projects/p${i % 40}/src/${r.pick(WORDS)}-${i}.ts`;
    const body =
      kind >= 6
        ? `// ${sentence(r)}\nexport const v${i} = ${JSON.stringify(paragraph(r, 2))};\n${markdownNote(r, size)}`
        : markdownNote(r, size);
    w.write(`${ws}/${rel}`, body);
  }
  for (const id of ['workspace', ...agents.map((a) => `workspace-${a}`)]) {
    w.write(`${id}/MEMORY.md`, markdownNote(r, 3000));
    w.write(`${id}/AGENTS.md`, markdownNote(r, 6000));
  }
  return { files: w.files, bytes: Math.round(w.bytes) };
}

/** Generates `<dataDir>/<profile>/home/.openclaw` once; a marker records what made it. */
export function ensureState(dataDir, profile, log = () => {}) {
  const base = path.join(dataDir, profile);
  const home = path.join(base, 'home');
  const stateDir = path.join(home, '.openclaw');
  const marker = path.join(base, 'generated.json');
  const want = { version: GENERATOR_VERSION, profile, spec: PROFILES[profile] };
  try {
    const have = JSON.parse(fs.readFileSync(marker, 'utf8'));
    if (have.version === want.version && have.profile === profile) return { home, stateDir, ...have };
  } catch {
    // no marker yet, or an unreadable one: generate afresh
  }
  fs.rmSync(base, { recursive: true, force: true });
  log(`generating ${profile} state (${PROFILES[profile].bytes / 1e6} MB, ${PROFILES[profile].files} files)…`);
  const started = Date.now();
  const made = generateState(stateDir, profile);
  const record = { ...want, ...made, generatedMs: Date.now() - started };
  fs.writeFileSync(marker, JSON.stringify(record, null, 2));
  return { home, stateDir, ...record };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const profile = process.argv[2] ?? 'small';
  const dataDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '.data');
  console.log(ensureState(dataDir, profile, console.log));
}
