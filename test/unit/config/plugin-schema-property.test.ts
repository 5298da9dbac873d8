import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { pluginConfigSchema } from '../../../src/config/plugin-manifest.js';
import { checkPluginSchema } from '../../../src/config/plugin-schema-check.js';
import { backupBlockSchema } from '../../../src/config/schema.js';
import { COMPONENTS } from '../../../src/config/selectors.js';

/**
 * OpenClaw validates our block against openclaw.plugin.json's configSchema on every config read and write, with
 * TypeBox's JSON Schema compiler (typebox 1.3.30, as in openclaw 2026.9.6); a block it rejects stops every
 * `openclaw` command and the gateway. Our CLI validates the same block with zod. These properties pin down how
 * the two relate, on generated blocks:
 * - OpenClaw accepts every block our CLI accepts, also with keys a newer version of ours adds, and also when its
 *   copy of the schema is older than the CLI;
 * - OpenClaw rejects a block exactly when our CLI finds a structural fault (a wrong type, range, enum or pattern of
 *   a known key); what JSON Schema cannot say (cron syntax, time zones, component names, which keys go together)
 *   and unknown keys are our CLI's to reject.
 */

const schema = pluginConfigSchema();
const openclawAccepts = (block: unknown, against = schema) => checkPluginSchema(against, block).length === 0;

type Issue = z.core.$ZodIssue;

/** An issue JSON Schema can express: anything but a refinement or an unknown key. A union fails structurally when all its branches do. */
function isStructural(issue: Issue): boolean {
  switch (issue.code) {
    case 'custom':
    case 'unrecognized_keys':
      return false;
    case 'invalid_union':
      return issue.errors.length > 0 && issue.errors.every((branch) => branch.some(isStructural));
    case 'invalid_key':
    case 'invalid_element':
      return issue.issues.some(isStructural);
    default:
      return true;
  }
}

function zodVerdict(block: unknown): { accepts: boolean; structural: boolean; issues: Issue[] } {
  const result = backupBlockSchema.safeParse(block);
  if (result.success) return { accepts: true, structural: false, issues: [] };
  return { accepts: false, structural: result.error.issues.some(isStructural), issues: result.error.issues };
}

// ---- values our CLI accepts, key by key ----
const RECIPIENT = 'age12vnj8cd0vzpd5px3xqn48sf90zfusr0xawulnesl988xg0hv0q4sqzx4hc';
const nonEmpty = fc.string({ minLength: 1, maxLength: 20 });
const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
const duration = fc.oneof(
  fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('', ' '), fc.constantFrom('ms', 's', 'm', 'h', 'd'))
    .map(([n, gap, u]) => `${n}${gap}${u}`),
);
const keep = fc.integer({ min: 0, max: 100 });
const policy = fc
  .record(
    { keepLast: keep, keepHourly: keep, keepDaily: keep, keepWeekly: keep, keepMonthly: keep, keepYearly: keep },
    { requiredKeys: [] },
  )
  .filter((p) => Object.values(p).some((n) => n > 0));
const selector = fc.oneof(fc.constantFrom(...COMPONENTS), fc.constantFrom('workspace/node_modules/**', '*.mp4', 'agents/*/sessions/**'));
const pingUrl = fc.constantFrom('https://hc-ping.com/0b5c7e3a', 'http://127.0.0.1:8000/ping/abc');
const encrypt = fc.oneof(
  fc.constant({ recipients: [RECIPIENT] }),
  nonEmpty.map((recipientsFile) => ({ recipientsFile })),
  nonEmpty.map((passphraseFile) => ({ passphraseFile })),
  envName.map((passphraseEnv) => ({ passphraseEnv })),
);
const repository = fc.record(
  {
    url: nonEmpty,
    password: fc.oneof(
      nonEmpty.map((passwordFile) => ({ passwordFile })),
      envName.map((passwordEnv) => ({ passwordEnv })),
    ),
    cacert: nonEmpty,
    options: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9]{1,6}\.[A-Za-z0-9-]{1,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['url', 'password'] },
);

const validValues = {
  auto: fc.boolean(),
  schedule: fc.constantFrom('0 0 * * *', '30 3 * * *', '*/15 * * * *', '0 */6 * * 1-5', '0 30 3 * * *'),
  timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'),
  retention: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), policy),
  path: nonEmpty,
  include: fc.array(selector, { maxLength: 4 }),
  exclude: fc.array(selector, { maxLength: 4 }),
  followLinks: fc.array(nonEmpty, { maxLength: 3 }),
  compress: fc.constantFrom(true, false, 'gzip', 'zstd', 'none'),
  postBackup: nonEmpty,
  hookTimeout: duration,
  onFailure: nonEmpty,
  monitor: fc.oneof(pingUrl, fc.record({ url: pingUrl, start: fc.boolean(), timeout: duration }, { requiredKeys: ['url'] })),
  metricsFile: nonEmpty.map((name) => `/var/lib/node_exporter/${name.replace(/\//g, '_')}.prom`),
  quiesce: fc.constantFrom('lock', 'stop'),
  encrypt,
  repository: repository.map(({ password, ...rest }) => ({ ...rest, ...password })),
} satisfies Record<string, fc.Arbitrary<unknown>>;

type Key = keyof typeof validValues;
const KEYS = Object.keys(validValues) as Key[];

/** A block our CLI accepts: any subset of keys, never a repository together with encrypt. */
const validBlock = fc
  .record(validValues, { requiredKeys: [] })
  .filter((block) => !('repository' in block && 'encrypt' in block)) as fc.Arbitrary<Record<string, unknown>>;

/** Keys a newer version might add, at the top and inside the objects. */
const newKey = fc.stringMatching(/^[a-z][A-Za-z]{2,12}$/).filter((k) => !KEYS.includes(k as Key) && !(k in Object.prototype));

function addKey(block: Record<string, unknown>, key: string, value: unknown, where: 'top' | 'nested'): Record<string, unknown> {
  if (where === 'top') return { ...block, [key]: value };
  const out = { ...block };
  for (const [k, v] of Object.entries(out)) {
    // A restic `options` record is a map of option names, not an object that grows keys.
    if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = { ...v, [key]: value };
  }
  return out;
}

/** Every key either valid or any JSON value at all. */
const mixedBlock = fc.record(
  Object.fromEntries(KEYS.map((k) => [k, fc.oneof(validValues[k] as fc.Arbitrary<unknown>, fc.jsonValue({ maxDepth: 2 }))])),
  { requiredKeys: [] },
);

describe('openclaw.plugin.json configSchema and our zod schema agree', () => {
  it('OpenClaw accepts every block our CLI accepts', () => {
    fc.assert(
      fc.property(validBlock, (block) => {
        expect(zodVerdict(block).issues).toEqual([]);
        expect(checkPluginSchema(schema, block)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('OpenClaw accepts keys a newer version of ours adds, at the top and inside every object; our CLI reports them as unknown', () => {
    fc.assert(
      fc.property(
        validBlock,
        newKey,
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('top' as const, 'nested' as const),
        (block, key, value, where) => {
          const grown = addKey(block, key, value, where);
          expect(checkPluginSchema(schema, grown)).toEqual([]);
          const zod = zodVerdict(grown);
          if (!zod.accepts) expect(zod.structural).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an older copy of the schema in OpenClaw's extensions dir (keys missing) still accepts every block the newer CLI accepts", () => {
    const withoutKeys = (missing: readonly string[]) => {
      const older = structuredClone(schema) as { properties: Record<string, unknown> };
      for (const key of missing) delete older.properties[key];
      return older;
    };
    fc.assert(
      fc.property(validBlock, fc.subarray(KEYS, { minLength: 1 }), (block, missing) => {
        expect(checkPluginSchema(withoutKeys(missing), block)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('OpenClaw rejects a block exactly when our CLI finds a wrong type, range, enum or pattern of a known key', () => {
    fc.assert(
      fc.property(mixedBlock, (block) => {
        const zod = zodVerdict(block);
        const openclaw = openclawAccepts(block);
        if (zod.accepts) expect(openclaw).toBe(true);
        expect(openclaw, JSON.stringify(zod.issues)).toBe(!zod.structural);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['retention', -1],
    ['retention', 0],
    ['retention', '7'],
    ['retention', { keepDaily: -1 }],
    ['retention', { keepDaily: 1.5 }],
    ['compress', 'xz'],
    ['quiesce', 'pause'],
    ['auto', 'yes'],
    ['schedule', 5],
    ['include', 'config'],
    ['exclude', ['']],
    ['hookTimeout', '30 minutes'],
    ['hookTimeout', 0],
    ['metricsFile', '/tmp/metrics.txt'],
    ['monitor', 42],
    ['monitor', { start: true }],
    ['encrypt', 'age1…'],
    ['encrypt', { passphraseEnv: 'NOT-A-NAME' }],
    ['repository', { passwordFile: '/p' }],
    ['repository', { url: 'x', passwordFile: '/p', options: { 'not an option': 'v' } }],
  ])('%s: %j is rejected by both, and OpenClaw names the key', (key, value) => {
    expect(zodVerdict({ [key]: value }).accepts).toBe(false);
    const problems = checkPluginSchema(schema, { [key]: value });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.path === key || p.path.startsWith(`${key}.`))).toBe(true);
  });

  it.each([
    ['schedule', 'every night'],
    ['timezone', 'Mars/Olympus_Mons'],
    ['include', ['sesions']],
    ['monitor', 'ftp://hc-ping.com/x'],
    ['encrypt', {}],
    ['encrypt', { recipients: ['age1nope'] }],
    ['repository', { url: 'x' }],
    ['retention', {}],
  ])('%s: %j is left to our CLI (and doctor): OpenClaw accepts it, we reject it', (key, value) => {
    expect(zodVerdict({ [key]: value }).accepts).toBe(false);
    expect(checkPluginSchema(schema, { [key]: value })).toEqual([]);
  });
});
