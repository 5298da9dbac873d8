// Mutation check (not part of CI): builds deliberately broken copies of dist/ and runs the reliability scenario
// that should catch each one. Every mutant must make its scenario fail. Run: npm exec -- node test/reliability/mutation-check.mjs
// Optional argument: mutant names to run (default all).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = path.join(repo, '.mutants');

const MUTANTS = [
  {
    name: 'copy-live-db',
    what: 'copies the live database file instead of snapshotting it with the online backup API',
    file: 'core/archive/sqlite-snapshot.js',
    edits: [
      [
        'pages = await backup(db, destination, { rate: ALL_PAGES });',
        "await (await import('node:fs/promises')).copyFile(source, destination); pages = 0;",
      ],
    ],
    scenario: 'live-writers',
    env: { RELIABILITY_BACKUPS: '6' },
  },
  {
    name: 'publish-before-complete',
    what: 'gives the archive its final name (hard link) as soon as it is opened, before it is written and fsynced',
    file: 'core/store/folder-store.js',
    edits: [
      [
        "const handle = await fs.open(partial, 'wx', 0o600);",
        "const handle = await fs.open(partial, 'wx', 0o600); const early = options.file ?? (await freeArchivePath(dir, meta.profile, meta.createdAt, meta.compression, suffix)); await fs.link(partial, early);",
      ],
      [
        'return { archive: await publish(partial, options.file, () => freeArchivePath(dir, meta.profile, meta.createdAt, meta.compression, suffix)) };',
        'await fs.unlink(partial); return { archive: early };',
      ],
    ],
    scenario: 'crash',
    env: { RELIABILITY_KILLS: '12', RELIABILITY_STATE_MB: '60' },
  },
  {
    name: 'no-stale-lock-reclaim',
    what: 'never reclaims a lock whose owner died (waits for it as for a live one)',
    file: 'core/locks/lock.js',
    edits: [["if (liveness === 'dead')\n        return 'reclaim';", '']],
    scenario: 'crash',
    env: { RELIABILITY_KILLS: '40', RELIABILITY_STATE_MB: '60' },
  },
  {
    name: 'swap-moves-backups',
    what: 'a full restore no longer keeps the backups dir in place (it goes to the rollback copy)',
    file: 'core/restore/carry.js',
    edits: [["rel === backupRel || (isState && (rel === 'backups' || isOurs(rel)))", 'rel === backupRel || (isState && isOurs(rel))']],
    scenario: 'crash-restore',
    env: { RELIABILITY_RESTORE_KILLS: '3' },
  },
  {
    name: 'no-swap-undo-after-kill',
    what: "the next command removes a killed restore's staging dir without undoing its journal",
    file: 'core/restore/recover.js',
    edits: [['const failures = await undoSteps(again.steps);', 'const failures = [];']],
    scenario: 'crash-restore',
    env: { RELIABILITY_RESTORE_KILLS: '3' },
  },
  {
    name: 'no-temp-cleanup',
    what: 'never removes partial archives and staging dirs left by a killed run',
    file: 'core/fs/temp-files.js',
    edits: [['export async function cleanStaleTemps(dir) {', 'export async function cleanStaleTemps(dir) {\n    return [];']],
    scenario: 'crash',
    env: { RELIABILITY_KILLS: '12', RELIABILITY_STATE_MB: '60' },
  },
  {
    name: 'keep-partial-on-failure',
    what: 'leaves the partial archive behind when a run fails',
    file: 'core/store/folder-store.js',
    edits: [['await fs.rm(partial, { force: true });', '']],
    scenario: 'disk-full',
    env: { RELIABILITY_DISK_CASES: '10' },
  },
  {
    name: 'verify-ignores-hashes',
    what: 'verify stops comparing file contents with the manifest SHA-256',
    file: 'core/reader/check-ours.js',
    edits: [['else if (got.sha256 !== expected.sha256)', 'else if (false)']],
    scenario: 'property',
    filter: 'mutations',
    env: { RELIABILITY_MUTATIONS: '150' },
  },
];

function makeMutant(mutant) {
  const dir = path.join(root, mutant.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(repo, 'dist'), path.join(dir, 'dist'), { recursive: true });
  const file = path.join(dir, 'dist', mutant.file);
  let text = fs.readFileSync(file, 'utf8');
  for (const [from, to] of mutant.edits) {
    if (!text.includes(from))
      throw new Error(`${mutant.name}: "${from}" not found in ${mutant.file}; update the mutant to the current build`);
    text = text.replace(from, to);
  }
  fs.writeFileSync(file, text);
  return path.join(dir, 'dist', 'cli', 'main.js');
}

const build = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const wanted = process.argv.slice(2);
const results = [];
for (const mutant of MUTANTS.filter((m) => wanted.length === 0 || wanted.includes(m.name))) {
  const cli = makeMutant(mutant);
  console.log(`\n=== mutant ${mutant.name}: ${mutant.what}\n    expecting scenario "${mutant.scenario}" to fail`);
  const run = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--config',
      'vitest.reliability.config.ts',
      `test/reliability/${mutant.scenario}.test.ts`,
      ...(mutant.filter ? ['-t', mutant.filter] : []),
    ],
    {
      cwd: repo,
      env: { ...process.env, ...mutant.env, OPENCLAW_BACKUP_CLI: cli, NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
    },
  );
  const output = `${run.stdout}${run.stderr}`;
  const firstError = /(AssertionError|Error): [^\n]*/.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[0] ?? '';
  fs.writeFileSync(path.join(repo, '.mutants', `${mutant.name}.log`), output);
  results.push({ mutant: mutant.name, scenario: mutant.scenario, caught: run.status !== 0, evidence: firstError.slice(0, 220) });
  console.log(run.status !== 0 ? `    CAUGHT: ${firstError.slice(0, 300)}` : '    NOT CAUGHT');
}
for (const m of MUTANTS) fs.rmSync(path.join(root, m.name), { recursive: true, force: true });
console.log(`\nfull output of each run: ${root}/<mutant>.log`);
console.log('\n| mutant | scenario | caught | first failure |\n|---|---|---|---|');
for (const r of results)
  console.log(`| ${r.mutant} | ${r.scenario} | ${r.caught ? 'yes' : '**no**'} | ${r.evidence.replace(/\|/g, '\\|')} |`);
process.exit(results.every((r) => r.caught) ? 0 : 1);
