import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/fixture.js';
import { fixtureHome } from './daemon-process.js';

/** Output as a new user reads it: each line here was misleading or ragged before. */
describe('what the commands print', () => {
  it('status agrees with doctor right after a create: a last success, and no "block at none"', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    // No block at all in the config.
    const config = JSON.parse(fs.readFileSync(fx.configPath, 'utf8'));
    delete config.plugins.entries['openclaw-backup'];
    fs.writeFileSync(fx.configPath, JSON.stringify(config));
    const created = await runCli(['create', '--json'], { env: fx.env });
    expect(created.code, created.stderr).toBe(0);
    const archive = path.basename(JSON.parse(created.stdout).archive);
    const status = await runCli(['status'], { env: { ...fx.env, TZ: 'UTC' } });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`config:        ${fx.configPath}, no backup block: defaults in effect\n`);
    expect(status.stdout).toContain('last run:      none recorded by run or the daemon (create records none)\n');
    expect(status.stdout).toMatch(
      new RegExp(`last success:  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(.+ ago\\), archive ${archive.replaceAll('.', '\\.')}\\n`),
    );
    const doctor = await runCli(['doctor'], { env: fx.env });
    expect(doctor.stdout).toMatch(/ok +freshness: last successful backup \d+\.\d hours ago/);
    const json = JSON.parse((await runCli(['status', '--json'], { env: fx.env })).stdout);
    expect(json.archives).toMatchObject({ count: 1, newestCreatedAt: expect.stringMatching(/Z$/) });
  });

  it('list has a header row and local times (ISO stays in --json); list --details needs no key for unencrypted archives', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    expect((await runCli(['create'], { env: fx.env })).code).toBe(0);
    const iso = JSON.parse((await runCli(['list', '--json'], { env: fx.env })).stdout)[0].createdAt as string;
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const tokyo = await runCli(['list'], { env: { ...fx.env, TZ: 'Asia/Tokyo' } });
    const [header, row] = tokyo.stdout.split('\n');
    expect(header).toMatch(/^created \(local\) +size {2}archive +components$/);
    const local = new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(row?.startsWith(`${local}  `)).toBe(true);
    // Columns line up under the header.
    expect(row?.indexOf('openclaw-backup-default-')).toBe(header?.indexOf('archive'));
    const details = await runCli(['list', '--details'], { env: fx.env });
    expect(details.code, details.stderr).toBe(0);
    expect(details.stdout).toContain('config,credentials,sessions,memory,workspace,logs,state');
  });

  it('prune --dry-run lines up its columns', async () => {
    const fx = fixtureHome(makeTempDir(), { retention: 1 });
    for (let i = 0; i < 2; i += 1) expect((await runCli(['create'], { env: fx.env })).code).toBe(0);
    const dry = await runCli(['prune', '--dry-run'], { env: fx.env });
    const [keep, remove] = dry.stdout.split('\n');
    expect(keep).toMatch(/^keep {10}openclaw-backup-default-\S+ {2}\(last\)$/);
    expect(remove).toMatch(/^would remove {2}openclaw-backup-default-\S+$/);
    expect(keep?.indexOf('openclaw-backup-')).toBe(remove?.indexOf('openclaw-backup-'));
  });

  it('create --dry-run lists what each component would hold, with the components the real archive names', async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const dry = await runCli(['create', '--dry-run'], { env: fx.env });
    expect(dry.code, dry.stderr).toBe(0);
    const real = JSON.parse((await runCli(['create', '--json'], { env: fx.env })).stdout);
    expect(real.components).toContain('logs');
    expect(dry.stdout).toContain(`from components: ${real.components.join(', ')}\n`);
    for (const component of real.components)
      expect(dry.stdout).toMatch(new RegExp(`^  ${component} +\\d+ files? +[\\d.]+ (B|KiB|MiB)$`, 'm'));
    const json = JSON.parse((await runCli(['create', '--dry-run', '--json'], { env: fx.env })).stdout);
    expect(json.byComponent.sessions.files).toBeGreaterThan(0);
  });

  it('counts are singular when they are one ("1 file", not "1 files")', async () => {
    const home = makeTempDir();
    const stateDir = path.join(home, '.openclaw');
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'openclaw.json'), '{}');
    const created = await runCli(['create', '--json'], { env: { HOME: home } });
    const archive = JSON.parse(created.stdout).archive as string;
    const verified = await runCli(['verify', archive], { env: { HOME: home } });
    expect(verified.stdout).toContain('1 file (0 databases passed integrity_check)');
    const text = await runCli(['create'], { env: { HOME: home } });
    expect(text.stdout).toContain('  1 file (0 database snapshots)');
    const dry = await runCli(['create', '--dry-run'], { env: { HOME: home } });
    expect(dry.stdout).toMatch(/^Dry run: would archive 1 file, 1 directory, 0 symlinks/);
  });

  it("a config naming another machine's workspace: one warning saying what is backed up instead, pointing to doctor", async () => {
    const fx = fixtureHome(makeTempDir(), {});
    const created = await runCli(['create'], { env: fx.env });
    expect(created.code).toBe(0);
    const warnings = created.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual([
      `warning: agents.entries.main.workspace = /home/openclaw/.openclaw/workspace, agents.entries.main.agentDir = /home/openclaw/.openclaw/agents/main/agent do not exist on this machine: ` +
        `skipped; ${fx.stateDir}/workspace is backed up with the state dir (see \`openclaw-backup doctor\`)`,
    ]);
  });
});
