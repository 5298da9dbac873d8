import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPluginManifest } from '../../src/config/plugin-manifest.js';
import { REPO_ROOT, makeTempDir, runCli, unpackFixture } from '../helpers/fixture.js';

/** doctor's plugin checks: is OpenClaw's copy installed and enabled, and does its schema accept our block? */

interface Home {
  home: string;
  stateDir: string;
  config: string;
  env: NodeJS.ProcessEnv;
}

function fixture(): Home {
  const home = makeTempDir('ocb-doctor-plugin-');
  const stateDir = unpackFixture(home);
  const config = path.join(stateDir, 'openclaw.json');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replaceAll('/home/openclaw/.openclaw', stateDir), { mode: 0o600 });
  return { home, stateDir, config, env: { HOME: home, PATH: '/usr/bin:/bin' } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config is edited freely, like JSON
function editConfig(h: Home, edit: (config: Record<string, any>) => void): void {
  const config = JSON.parse(fs.readFileSync(h.config, 'utf8'));
  edit(config);
  fs.writeFileSync(h.config, JSON.stringify(config, null, 2));
}

function setEntry(h: Home, entry: Record<string, unknown>): void {
  editConfig(h, (config) => {
    config.plugins.entries['openclaw-backup'] = entry;
  });
}

/** What `openclaw plugins install` leaves in <state>/extensions/openclaw-backup (the parts doctor reads). */
function installCopy(h: Home, manifest: Record<string, unknown> = renderPluginManifest(), version = '0.0.9'): string {
  const root = path.join(h.stateDir, 'extensions', 'openclaw-backup');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'openclaw.plugin.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'openclaw-backup', version }));
  return root;
}

interface Finding {
  id: string;
  level: string;
  message: string;
  fix?: string;
}

async function findings(h: Home): Promise<Map<string, Finding>> {
  const result = await runCli(['doctor', '--json'], { env: h.env });
  const json = JSON.parse(result.stdout) as { findings: Finding[] };
  return new Map(json.findings.filter((f) => f.id.startsWith('plugin')).map((f) => [f.id, f]));
}

describe('doctor: the OpenClaw plugin', () => {
  it('not installed: a warning with the install command for this package', async () => {
    const h = fixture();
    setEntry(h, { config: { retention: 3 } });
    const plugin = (await findings(h)).get('plugin');
    expect(plugin?.level).toBe('warn');
    expect(plugin?.message).toContain('plugin not found');
    expect(plugin?.fix).toContain(`openclaw plugins install ${REPO_ROOT} --force --accept-capabilities`);
  });

  it('installed and enabled, schema matching: both ok; a --link install is found through plugins.load.paths', async () => {
    const h = fixture();
    const root = installCopy(h);
    setEntry(h, { enabled: true, config: { retention: 3 } });
    let found = await findings(h);
    expect(found.get('plugin')).toMatchObject({ level: 'ok', message: `the plugin is copied to ${root} (version 0.0.9) and enabled` });
    expect(found.get('plugin-schema')?.level).toBe('ok');
    fs.rmSync(root, { recursive: true });
    editConfig(h, (config) => {
      config.plugins.load = { paths: [REPO_ROOT] };
    });
    found = await findings(h);
    expect(found.get('plugin')?.message).toContain(`linked to ${REPO_ROOT}`);
    expect(found.get('plugin-schema')?.level).toBe('ok');
  });

  it('an older copy without a key the block uses still accepts it: a warning to update the copy, not an error', async () => {
    const h = fixture();
    const older = renderPluginManifest() as { configSchema: { properties: Record<string, unknown> } };
    delete older.configSchema.properties.quiesce;
    installCopy(h, older);
    setEntry(h, { enabled: true, config: { quiesce: 'stop' } });
    const schema = (await findings(h)).get('plugin-schema');
    expect(schema?.level).toBe('warn');
    expect(schema?.message).toContain('differs from');
    expect(schema?.message).toContain('it accepts the current block');
  });

  it('a copy whose schema rejects the block is an error in OpenClaw words, naming our key and the way out', async () => {
    const h = fixture();
    const strict = renderPluginManifest() as { configSchema: Record<string, unknown> & { properties: Record<string, unknown> } };
    delete strict.configSchema.properties.quiesce;
    strict.configSchema.additionalProperties = false;
    installCopy(h, strict);
    setEntry(h, { enabled: true, config: { quiesce: 'stop' } });
    const result = await runCli(['doctor'], { env: h.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error plugin-schema: OpenClaw rejects the backup block');
    expect(result.stdout).toContain('plugins.entries["openclaw-backup"].config: must not have additional properties');
    expect(result.stdout).toContain('`openclaw doctor --fix` would delete the whole block');
    expect(result.stdout).toContain(`update OpenClaw's copy: openclaw plugins install ${REPO_ROOT}`);
  });

  it('a bad value is reported by our loader and, in OpenClaw words, as what stops the gateway', async () => {
    const h = fixture();
    installCopy(h);
    setEntry(h, { enabled: true, config: { retention: -1 } });
    const result = await runCli(['doctor'], { env: h.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/error backup-block: plugins\.entries\["openclaw-backup"\]\.config\.retention: /);
    expect(result.stdout).toContain('plugins.entries["openclaw-backup"].config.retention: must be > 0');
    expect(result.stdout).toContain("the gateway's start refuse to run");
  });

  it('disabled with the block gone (what doctor --fix and plugins uninstall leave): says which .bak still has it', async () => {
    const h = fixture();
    installCopy(h);
    setEntry(h, { enabled: true, config: { retention: 9 } });
    fs.copyFileSync(h.config, `${h.config}.bak.1`);
    setEntry(h, { enabled: false });
    fs.writeFileSync(`${h.config}.bak`, fs.readFileSync(h.config));
    const plugin = (await findings(h)).get('plugin');
    expect(plugin?.level).toBe('warn');
    expect(plugin?.message).toContain('disabled');
    expect(plugin?.message).toContain(`${h.config}.bak.1 still has it`);
    expect(plugin?.fix).toContain('openclaw plugins enable openclaw-backup');
  });

  it('a backups dir inside the state dir but not backups/ is a warning: OpenClaw would back our archives up', async () => {
    const h = fixture();
    installCopy(h);
    setEntry(h, { enabled: true, config: { path: path.join(h.stateDir, 'my-archives') } });
    expect((await findings(h)).get('plugin-backups-dir')?.level).toBe('warn');
    setEntry(h, { enabled: true, config: { path: path.join(h.home, 'elsewhere') } });
    expect((await findings(h)).get('plugin-backups-dir')).toBeUndefined();
  });
});
