import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/fixture.js';
import { fixtureHome, freePort, removeTempHomes, tempHome } from '../helpers/migrate.js';
import { ensureOpenClaw, type OpenClawInstall } from './harness/install.js';

const run = promisify(execFile);
let openclaw: OpenClawInstall;

/** Runs the real openclaw CLI under HOME=home. */
async function claw(home: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(openclaw.node, [openclaw.cli, ...args], {
    env: { PATH: process.env.PATH, HOME: home },
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A fresh state made the way a user makes one: non-interactive onboarding with dummy keys, loopback only. */
async function onboardedHome(): Promise<string> {
  const home = tempHome('ocb-e2e-fresh-');
  await claw(home, [
    'onboard',
    '--non-interactive',
    '--accept-risk',
    '--mode',
    'local',
    '--flow',
    'quickstart',
    '--auth-choice',
    'apiKey',
    '--anthropic-api-key',
    'sk-ant-fresh-dummy',
    '--gateway-auth',
    'token',
    '--gateway-token',
    'fresh-token-dummy',
    '--gateway-bind',
    'loopback',
    '--gateway-port',
    String(await freePort()),
    '--skip-channels',
    '--no-install-daemon',
    '--skip-health',
    '--skip-skills',
    '--skip-search',
    '--skip-ui',
    '--json',
  ]);
  return home;
}

beforeAll(() => {
  openclaw = ensureOpenClaw();
});
afterAll(removeTempHomes);

describe('migrating sessions and config into a fresh OpenClaw 2026.9.6 state', () => {
  it('after sessions import, openclaw sessions --json lists the imported sessions', async () => {
    const source = await fixtureHome();
    const exported = await runCli(['sessions', 'export', '--all'], { env: source.env });
    expect(exported.code).toBe(0);
    const home = await onboardedHome();
    const before = JSON.parse((await claw(home, ['sessions', '--json'])).stdout);
    expect(before.count).toBe(0);
    const imported = await runCli(['sessions', 'import', '-'], { env: { HOME: home }, input: exported.stdout });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const listed = JSON.parse((await claw(home, ['sessions', '--json'])).stdout);
    const reported = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'openclaw-2026.9.6-default.sessions.json'), 'utf8'));
    const pick = (s: { key: string; sessionId: string; model: string; status: string }) => ({
      key: s.key,
      sessionId: s.sessionId,
      model: s.model,
      status: s.status,
    });
    expect(listed.sessions.map(pick).sort((a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key))).toEqual(
      reported.sessions.map(pick).sort((a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key)),
    );
    // OpenClaw reading the store did not change what we export.
    expect((await runCli(['sessions', 'export', '--all'], { env: { HOME: home } })).stdout).toBe(exported.stdout);
  });

  it('after config import (own config with placeholders merged back, and a --full bundle), openclaw config validate passes', async () => {
    const home = await onboardedHome();
    const env = { HOME: home };
    const own = JSON.parse((await runCli(['config', 'export'], { env })).stdout);
    expect(own.config.gateway.auth.token).toBe('__OPENCLAW_REDACTED__');
    own.config.update = { checkOnStart: false };
    const first = await runCli(['config', 'import', '-'], { env, input: JSON.stringify(own) });
    expect(first.code).toBe(0);
    await expect(claw(home, ['config', 'validate'])).resolves.toMatchObject({ stdout: expect.stringContaining('Config valid') });
    const written = JSON.parse(fs.readFileSync(path.join(home, '.openclaw', 'openclaw.json'), 'utf8'));
    expect(written.gateway.auth.token).toBe('fresh-token-dummy');

    const source = await fixtureHome();
    const full = await runCli(['config', 'export', '--full'], { env: source.env });
    const second = await runCli(['config', 'import', '-'], { env, input: full.stdout });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    await expect(claw(home, ['config', 'validate'])).resolves.toMatchObject({ stdout: expect.stringContaining('Config valid') });
    const roundTrip = JSON.parse((await runCli(['config', 'export', '--full'], { env })).stdout);
    expect(roundTrip.auth.stateDb.config_machine_state).toEqual(JSON.parse(full.stdout).auth.stateDb.config_machine_state);
  });
});
