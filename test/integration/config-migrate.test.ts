import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/fixture.js';
import { fixtureHome, holdGatewayLock, removeTempHomes, treeState } from '../helpers/migrate.js';

const PLACEHOLDER = '__OPENCLAW_REDACTED__';
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  removeTempHomes();
});

function authStore(stateDir: string): string | undefined {
  const db = new DatabaseSync(path.join(stateDir, 'state', 'openclaw.sqlite'), { readOnly: true });
  try {
    return (
      db.prepare("SELECT value_json FROM config_machine_state WHERE state_key = 'authProfiles.store'").get() as
        { value_json: string } | undefined
    )?.value_json;
  } finally {
    db.close();
  }
}

describe('config export', () => {
  it('replaces secrets by the placeholder, and keeps them with --include-secrets', async () => {
    const { env } = await fixtureHome();
    const result = await runCli(['config', 'export'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('test-token-dummy-0000');
    expect(result.stdout).not.toContain('sk-fake-local-dummy-0000');
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      format: 'openclaw-backup/config',
      version: 1,
      secrets: 'redacted',
      redacted: ['gateway.auth.token', 'models.providers.fakellm.apiKey'],
    });
    expect(doc.config.gateway.auth.token).toBe(PLACEHOLDER);
    const full = JSON.parse((await runCli(['config', 'export', '--include-secrets'], { env })).stdout);
    expect(full.config.gateway.auth.token).toBe('test-token-dummy-0000');
    expect(full.secrets).toBe('included');
  });

  it('--full bundles the auth profiles of the state database and says it holds secrets', async () => {
    const { env, home } = await fixtureHome();
    const out = path.join(home, 'full.json');
    const result = await runCli(['config', 'export', '--full', '-o', out], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('--full includes secrets');
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    const rows = doc.auth.stateDb.config_machine_state as Array<{ state_key: string; value_json: string }>;
    expect(rows.map((r) => r.state_key)).toEqual(['auth.sharedStore', 'authProfiles.store']);
    expect(JSON.parse(rows[1]!.value_json).profiles['anthropic:default'].key).toBe('sk-ant-test-dummy-0000');
    expect(doc.config.models.providers.fakellm.apiKey).toBe('sk-fake-local-dummy-0000');
  });
});

describe('config import', () => {
  it('merges placeholders back from the current config, rotates .bak, writes 0600, and warns about lost comments', async () => {
    const { env, stateDir } = await fixtureHome();
    const configPath = path.join(stateDir, 'openclaw.json');
    const doc = JSON.parse((await runCli(['config', 'export'], { env })).stdout);
    doc.config.update.checkOnStart = true;
    const original = fs.readFileSync(configPath, 'utf8');
    const oldBak = fs.readFileSync(`${configPath}.bak`, 'utf8');
    fs.writeFileSync(configPath, `// my notes\n${original}`, { mode: 0o644 });
    const result = await runCli(['config', 'import', '-'], { env, input: JSON.stringify(doc) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('~ update.checkOnStart');
    expect(result.stdout).toContain('kept current secrets: gateway.auth.token, models.providers.fakellm.apiKey');
    expect(result.stderr).toContain('has JSON5 comments; the imported config is written as plain JSON and they are not kept');
    const written = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    expect(written.gateway.auth.token).toBe('test-token-dummy-0000');
    expect(written.update.checkOnStart).toBe(true);
    expect(fs.statSync(configPath).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(`${configPath}.bak`, 'utf8')).toBe(`// my notes\n${original}`);
    expect(fs.readFileSync(`${configPath}.bak.1`, 'utf8')).toBe(oldBak);
  });

  it('--dry-run shows the diff summary and writes nothing', async () => {
    const { env, stateDir } = await fixtureHome();
    const doc = JSON.parse((await runCli(['config', 'export'], { env })).stdout);
    delete doc.config.hooks;
    doc.config.gateway.port = 1;
    const before = treeState(stateDir);
    const result = await runCli(['config', 'import', '--dry-run', '-'], { env, input: JSON.stringify(doc) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('would change in 2 place(s)');
    expect(result.stdout).toContain('~ gateway.port');
    expect(result.stdout).toContain('- hooks');
    expect(treeState(stateDir)).toEqual(before);
  });

  it('refuses placeholder secrets the current config cannot fill (exit 2, nothing written)', async () => {
    const source = await fixtureHome();
    const doc = (await runCli(['config', 'export'], { env: source.env })).stdout;
    const { env, stateDir } = await fixtureHome();
    const configPath = path.join(stateDir, 'openclaw.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
    delete config.models.providers.fakellm.apiKey;
    fs.writeFileSync(configPath, JSON.stringify(config));
    const before = treeState(stateDir);
    const result = await runCli(['config', 'import', '-'], { env, input: doc });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'placeholder secrets that the current config has no value for: models.providers.fakellm.apiKey; export with --include-secrets',
    );
    expect(treeState(stateDir)).toEqual(before);
  });

  it('imports a --full bundle into the state database, and refuses with exit 4 while the gateway runs', async () => {
    const source = await fixtureHome();
    const doc = JSON.parse((await runCli(['config', 'export', '--full'], { env: source.env })).stdout);
    const { env, stateDir } = await fixtureHome();
    const db = new DatabaseSync(path.join(stateDir, 'state', 'openclaw.sqlite'));
    db.exec("DELETE FROM config_machine_state WHERE state_key LIKE 'authProfiles.%'");
    db.close();
    fs.mkdirSync(path.join(source.stateDir, 'credentials'));
    doc.auth.credentials = [{ path: 'credentials/whatsapp/creds.json', mode: 0o600, base64: Buffer.from('{"k":"v"}').toString('base64') }];
    const lock = holdGatewayLock(stateDir);
    const before = treeState(stateDir);
    const refused = await runCli(['config', 'import', '-'], { env, input: JSON.stringify(doc) });
    lock.release();
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('refusing to write auth profiles into the state database: the OpenClaw gateway is running');
    expect(treeState(stateDir)).toEqual(before);
    const result = await runCli(['config', 'import', '-'], { env, input: JSON.stringify(doc) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(authStore(stateDir)!).profiles['anthropic:default'].key).toBe('sk-ant-test-dummy-0000');
    const cred = path.join(stateDir, 'credentials', 'whatsapp', 'creds.json');
    expect(fs.readFileSync(cred, 'utf8')).toBe('{"k":"v"}');
    expect(fs.statSync(cred).mode & 0o777).toBe(0o600);
  });

  const badDocuments: Array<[string, string, string]> = [
    [
      'wrong version',
      '{"format":"openclaw-backup/config","version":7,"secrets":"redacted","config":{}}',
      'document version 7 is not supported; this openclaw-backup reads version 1',
    ],
    ['truncated JSON', '{"format":"openclaw-backup/config","version":1,"config":{"gat', 'not valid JSON ('],
    ['config not an object', '{"format":"openclaw-backup/config","version":1,"secrets":"redacted","config":[]}', 'document.config:'],
    [
      'credential outside credentials/',
      '{"format":"openclaw-backup/config","version":1,"secrets":"included","config":{},"auth":{"stateDb":{},"agents":{},"credentials":[{"path":"../evil","mode":384,"base64":""}]}}',
      'credential path "../evil" is outside credentials/',
    ],
    [
      'auth for an unknown agent',
      '{"format":"openclaw-backup/config","version":1,"secrets":"included","config":{},"auth":{"stateDb":{},"agents":{"ghost":{"tables":{}}},"credentials":[]}}',
      'auth profiles for agent "ghost", which this state does not have (known agents: main)',
    ],
  ];
  for (const [name, input, message] of badDocuments) {
    it(`rejects a bad document (${name}) with exit 2 and writes nothing`, async () => {
      const { env, stateDir } = await fixtureHome();
      const before = treeState(stateDir);
      const result = await runCli(['config', 'import', '-'], { env, input });
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
      expect(treeState(stateDir)).toEqual(before);
    });
  }
});
