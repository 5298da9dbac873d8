import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, unpackFixture } from '../../helpers/fixture.js';

/**
 * The built plugin entry (dist/plugin/entry.js), as OpenClaw loads it: a default export whose register(api) only
 * registers, never throws, and whose status method runs our real CLI in a child process.
 */

const ENTRY = path.join(REPO_ROOT, 'dist', 'plugin', 'entry.js');

interface Recorded {
  cli: Array<{ descriptors?: Array<{ name: string; hasSubcommands: boolean }> }>;
  methods: Array<{ name: string; scope?: string; handler: (request: { params: object; respond: Respond }) => Promise<void> | void }>;
  errors: string[];
}
type Respond = (ok: boolean, payload?: unknown, error?: { code: string; message: string; details?: unknown }) => void;

function fakeApi(mode: string, stateDir?: string, overrides: Record<string, unknown> = {}) {
  const recorded: Recorded = { cli: [], methods: [], errors: [] };
  const api = {
    id: 'openclaw-backup',
    registrationMode: mode,
    logger: { error: (message: string) => recorded.errors.push(message) },
    runtime: {
      state: {
        resolveStateDir: () => {
          if (!stateDir) throw new Error(`runtime is unavailable during "${mode}" registration`);
          return stateDir;
        },
      },
    },
    registerCli: (_registrar: unknown, opts: Recorded['cli'][number]) => recorded.cli.push(opts),
    registerGatewayMethod: (name: string, handler: Recorded['methods'][number]['handler'], opts?: { scope?: string }) =>
      recorded.methods.push({ name, handler, ...(opts?.scope ? { scope: opts.scope } : {}) }),
    ...overrides,
  };
  return { api, recorded };
}

async function loadEntry(): Promise<{ id: string; name: string; description: string; register: (api: unknown) => void }> {
  return ((await import(ENTRY)) as { default: never }).default;
}

function call(
  handler: Recorded['methods'][number]['handler'],
): Promise<{ ok: boolean; payload?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    void handler({ params: {}, respond: (ok, payload, error) => resolve({ ok, payload, ...(error ? { error } : {}) }) });
  });
}

describe('the plugin entry', () => {
  it('is a plain default export { id, name, description, register }', async () => {
    const entry = await loadEntry();
    expect(entry.id).toBe('openclaw-backup');
    expect(entry.name).toBeTruthy();
    expect(entry.description).toBeTruthy();
    expect(typeof entry.register).toBe('function');
  });

  it('loads only Node built-ins and its own small modules: no zod, no core, no CLI in the gateway', () => {
    // A resolve hook in a fresh Node records every module the entry pulls in at load time.
    const dir = makeTempDir();
    const hook = path.join(dir, 'record.mjs');
    fs.writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
       globalThis.__loaded = [];
       registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); globalThis.__loaded.push(r.url); return r; } });`,
    );
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        hook,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(ENTRY)}); console.log(JSON.stringify(globalThis.__loaded));`,
      ],
      { encoding: 'utf8' },
    );
    const loaded = (JSON.parse(out) as string[]).filter((url) => !url.startsWith('node:') && !url.includes('/record.mjs'));
    const dist = `file://${path.join(REPO_ROOT, 'dist')}/`;
    const ours = loaded.map((url) => url.replace(dist, ''));
    expect(
      ours.every((file) => file.startsWith('plugin/') || file === 'config/plugin-identity.js'),
      ours.join(', '),
    ).toBe(true);
    expect(ours).toContain('plugin/entry.js');
  });

  it.each(['full', 'discovery', 'tool-discovery', 'setup-runtime'])(
    'in %s mode registers the backups command and the read-only status method, and nothing runs',
    async (mode) => {
      const { api, recorded } = fakeApi(mode, '/nonexistent-state');
      (await loadEntry()).register(api);
      expect(recorded.cli.map((c) => c.descriptors?.map((d) => d.name))).toEqual([['backups']]);
      expect(recorded.methods.map((m) => [m.name, m.scope])).toEqual([['openclaw-backup.status', 'operator.read']]);
      expect(recorded.errors).toEqual([]);
    },
  );

  it('in cli-metadata mode registers the command descriptor only (no runtime there)', async () => {
    const { api, recorded } = fakeApi('cli-metadata');
    (await loadEntry()).register(api);
    expect(recorded.cli).toHaveLength(1);
    expect(recorded.methods).toEqual([]);
  });

  it('never throws out of register: a failing host API is logged, and a failing logger is swallowed too', async () => {
    const entry = await loadEntry();
    const boom = () => {
      throw new Error('host API broke');
    };
    const { api, recorded } = fakeApi('full', '/x', { registerCli: boom });
    expect(() => entry.register(api)).not.toThrow();
    expect(recorded.errors.join('\n')).toContain('host API broke');
    const silent = fakeApi('full', '/x', { registerGatewayMethod: boom, logger: { error: boom } });
    expect(() => entry.register(silent.api)).not.toThrow();
    expect(() => entry.register({})).not.toThrow();
  });

  it('the status method answers with `openclaw-backup status --json` for the state dir OpenClaw resolved', async () => {
    const home = makeTempDir();
    const stateDir = unpackFixture(home);
    const { api, recorded } = fakeApi('full', stateDir);
    (await loadEntry()).register(api);
    const answer = await call((recorded.methods[0] as Recorded['methods'][number]).handler);
    expect(answer.error).toBeUndefined();
    const status = answer.payload as {
      stateDir: string;
      nextRunAt: unknown;
      overdue: { overdue: boolean };
      lastError: unknown;
      archives: { count: number };
    };
    expect(status.stateDir).toBe(stateDir);
    expect(status.archives.count).toBe(0);
    expect(status.overdue.overdue).toBe(true);
    expect(status.lastError).toBeNull();
    expect('nextRunAt' in status).toBe(true);
  });

  it('the status method answers UNAVAILABLE with our error when the CLI fails, and does not throw', async () => {
    const missing = path.join(makeTempDir(), 'no-such-state');
    const { api, recorded } = fakeApi('full', missing);
    (await loadEntry()).register(api);
    const answer = await call((recorded.methods[0] as Recorded['methods'][number]).handler);
    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('UNAVAILABLE');
    expect(answer.error?.message).toContain(`state dir ${missing} does not exist`);
  });
});
