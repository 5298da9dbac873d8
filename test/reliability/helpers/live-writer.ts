// A stand-in for the OpenClaw gateway, run as its own process (Node strips the types): commits rows to a WAL
// database in many small transactions and some large ones, appends to one workspace file and atomically rewrites
// another, and creates and deletes small directories (scratch dirs that vanish while a backup walks them). After every commit it appends "<firstId> <lastId> <epochMs>" to a journal outside the state dir, so the
// test knows which rows were committed before each snapshot began. Stops on SIGTERM.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const [dbPath, workspace, journal] = process.argv.slice(2) as [string, string, string];
const db = new DatabaseSync(dbPath, { timeout: 5_000 });
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS reliability_events (id INTEGER PRIMARY KEY, body TEXT NOT NULL, digest TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO reliability_events (body, digest) VALUES (?, ?) RETURNING id');
const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
const journalFd = fs.openSync(journal, 'a');
const logFile = path.join(workspace, 'memory', 'live-log.md');
const stateFile = path.join(workspace, 'live-state.json');
fs.mkdirSync(path.dirname(logFile), { recursive: true });

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

function commit(rows: number, size: number): void {
  let first = 0;
  let last = 0;
  db.exec('BEGIN IMMEDIATE');
  for (let i = 0; i < rows; i += 1) {
    const body = randomBytes(size / 2).toString('hex');
    last = Number((insert.get(body, digest(body)) as { id: number }).id);
    if (i === 0) first = last;
  }
  db.exec('COMMIT');
  fs.writeSync(journalFd, `${first} ${last} ${Date.now()}\n`);
}

let seq = 0;
while (!stopping) {
  // Mostly one-row transactions (a transcript event), every 50th a large one (a session import, a reindex).
  if (seq % 50 === 49) commit(200, 512);
  else commit(1, 256);
  fs.appendFileSync(logFile, `seq ${seq} ${digest(`seq ${seq}`)}\n`);
  if (seq % 5 === 0) {
    const body = randomBytes(1 + (seq % 97) * 64).toString('base64');
    const tmp = `${stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ seq, body, digest: digest(body) }));
    fs.renameSync(tmp, stateFile);
  }
  // A scratch dir per round, removed three rounds later: some vanish between the walk listing and reading them.
  const churn = path.join(workspace, 'churn');
  fs.mkdirSync(path.join(churn, String(seq), 'sub'), { recursive: true });
  fs.writeFileSync(path.join(churn, String(seq), 'sub', 'note.md'), `round ${seq}\n`);
  fs.rmSync(path.join(churn, String(seq - 3)), { recursive: true, force: true });
  seq += 1;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
db.close();
fs.closeSync(journalFd);
process.stdout.write(`stopped after ${seq} rounds\n`);
