import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../helpers/craft.js';
import JSON5 from 'json5';
import { makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

describe('migration: what must travel, and where it comes from', () => {
  it("doctor's fix for a missing restic password file says where it must come from, not chmod", async () => {
    const home = makeTempDir('ocb-secrets-');
    const state = unpackFixture(home);
    const missing = path.join(home, '.config', 'openclaw-backup', 'restic-password');
    const file = path.join(state, 'openclaw.json');
    const config = JSON5.parse(fs.readFileSync(file, 'utf8')) as Doc;
    config.plugins = {
      entries: { 'openclaw-backup': { config: { repository: { url: path.join(home, 'repo'), passwordFile: missing } } } },
    };
    fs.writeFileSync(file, JSON.stringify(config));
    const doctor = JSON.parse((await runCli(['doctor', '--json'], { env: { HOME: home } })).stdout) as {
      findings: Array<{ id: string; level: string; fix?: string }>;
    };
    const password = doctor.findings.find((f) => f.id.endsWith('-password'));
    expect(password?.level).toBe('error');
    expect(password?.fix).toBe(
      `${missing} does not exist here: copy the repository password from where you keep it (the old machine, a password manager; no backup holds it) to ${missing}, then chmod 600 ${missing}`,
    );
  });

  it('a missing identity file names where it must come from (exit 2)', async () => {
    const home = makeTempDir('ocb-secrets-');
    unpackFixture(home);
    const r = await runCli(['verify', 'latest', '--identity', path.join(home, 'key.txt')], { env: { HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist here: copy the identity file from where you keep it');
  });

  it('create --output into a home readable by others gives no chmod advice for it', async () => {
    const home = makeTempDir('ocb-secrets-');
    unpackFixture(home);
    fs.chmodSync(home, 0o755);
    const r = await runCli(['create', '--output', `${home}/`], { env: { HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('chmod 700');
    // The backups dir itself is still judged.
    const backups = path.join(home, '.openclaw', 'backups');
    fs.mkdirSync(backups, { mode: 0o755 });
    fs.chmodSync(backups, 0o755);
    expect((await runCli(['create'], { env: { HOME: home } })).stderr).toContain(`run chmod 700 ${backups}`);
  });
});
