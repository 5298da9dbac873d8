import { Cron } from 'croner';
import { z } from 'zod';
import { describeRecipientProblem } from './age-recipient.js';
import { describeSelectorProblem } from './selectors.js';

/**
 * The one schema for the `backup` block: types, defaults and descriptions live here and nowhere else.
 * config.example.json5 is checked against it by a test.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "90s", "1h" or a number of seconds, to milliseconds. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = DURATION.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
}

function isValidCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true });
    return true;
  } catch {
    return false;
  }
}

function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const positiveInt = (what: string) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
const keepCount = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .min(0, { error: 'expected a non-negative integer' });

export const retentionPolicySchema = z
  .strictObject({
    keepLast: keepCount.optional().describe('Keep the newest N archives.'),
    keepHourly: keepCount.optional().describe('Keep the newest archive of each of the last N hours that have one.'),
    keepDaily: keepCount.optional().describe('Keep the newest archive of each of the last N days that have one.'),
    keepWeekly: keepCount.optional().describe('Keep the newest archive of each of the last N ISO weeks that have one.'),
    keepMonthly: keepCount.optional().describe('Keep the newest archive of each of the last N months that have one.'),
    keepYearly: keepCount.optional().describe('Keep the newest archive of each of the last N years that have one.'),
  })
  .refine((policy) => Object.values(policy).some((n) => typeof n === 'number' && n > 0), {
    error: 'a retention policy must keep something: set at least one keep* to a positive integer',
  });

export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

const retentionSchema = z.union([positiveInt('a positive integer'), retentionPolicySchema], {
  error: (issue) =>
    typeof issue.input === 'object' && issue.input !== null
      ? undefined
      : 'expected a positive integer or a policy object { keepLast, keepDaily, keepWeekly, … }',
});

const durationSchema = z
  .union(
    [z.number().positive(), z.string().regex(DURATION, { error: 'expected a duration such as "30m", "90s", "1h" or a number of seconds' })],
    {
      error: 'expected a duration such as "30m", "90s", "1h" or a number of seconds',
    },
  )
  .transform(parseDuration);

export const COMPRESSIONS = ['gzip', 'zstd', 'none'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const compressSchema = z
  .union([z.boolean(), z.enum(COMPRESSIONS)], { error: 'expected true, false, "gzip", "zstd" or "none"' })
  .transform((value): Compression => (value === true ? 'gzip' : value === false ? 'none' : value));

const stringList = z.array(
  z
    .string({ error: 'expected a string' })
    .min(1, { error: 'expected a non-empty string' })
    .superRefine((item, ctx) => {
      const problem = describeSelectorProblem(item);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  { error: 'expected an array of component names or globs' },
);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const filePath = z.string({ error: 'expected a file path' }).min(1, { error: 'expected a file path' });

export const encryptSchema = z
  .strictObject(
    {
      recipients: z
        .array(
          z.string({ error: 'expected an age recipient string (age1…)' }).superRefine((value, ctx) => {
            const problem = describeRecipientProblem(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
          { error: 'expected an array of age recipients (age1…)' },
        )
        .optional()
        .describe('age X25519 public keys (age1…, from `age-keygen -y`) the archive is encrypted to.'),
      recipientsFile: filePath.optional().describe('A file of age recipients, one per line (# comments), as `age -R` reads.'),
      passphraseFile: filePath.optional().describe('A file (mode 0600) holding the passphrase for age scrypt encryption.'),
      passphraseEnv: z
        .string({ error: 'expected an environment variable name' })
        .regex(ENV_NAME, { error: 'expected an environment variable name' })
        .optional()
        .describe('The environment variable holding the passphrase for age scrypt encryption.'),
    },
    { error: 'expected an object: { recipients: ["age1…"] }, { passphraseFile: "…" } or { passphraseEnv: "NAME" }' },
  )
  .superRefine((value, ctx) => {
    const modes = [
      value.recipients !== undefined || value.recipientsFile !== undefined,
      value.passphraseFile !== undefined,
      value.passphraseEnv !== undefined,
    ];
    const chosen = modes.filter(Boolean).length;
    if (chosen === 0) ctx.addIssue({ code: 'custom', message: 'set recipients / recipientsFile, or passphraseFile, or passphraseEnv' });
    if (chosen > 1) ctx.addIssue({ code: 'custom', message: 'choose one: recipients / recipientsFile, passphraseFile or passphraseEnv' });
    if (value.recipients?.length === 0 && value.recipientsFile === undefined)
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'expected at least one recipient' });
  });

export type EncryptSettings = z.output<typeof encryptSchema>;

export const repositorySchema = z
  .strictObject(
    {
      url: z
        .string({ error: 'expected a restic repository URL' })
        .min(1, { error: 'expected a restic repository URL' })
        .describe(
          "The restic repository, in restic's syntax: /path, sftp:user@host:/path, rest:https://host/, s3:host/bucket, rclone:remote:path, …",
        ),
      passwordFile: filePath.optional().describe('A file (mode 0600) holding the repository password; "~" is expanded.'),
      passwordEnv: z
        .string({ error: 'expected an environment variable name' })
        .regex(ENV_NAME, { error: 'expected an environment variable name' })
        .optional()
        .describe('The environment variable holding the repository password.'),
      cacert: filePath.optional().describe('A CA certificate file restic trusts for an HTTPS backend (restic --cacert).'),
      options: z
        .record(
          z.string().regex(/^[A-Za-z0-9]+\.[A-Za-z0-9-]+$/, { error: 'expected a restic option name such as "sftp.command"' }),
          z.string({ error: 'expected a string' }),
        )
        .optional()
        .describe('restic extended options, passed as `-o key=value` (e.g. { "sftp.command": "ssh -p 2222 host -s sftp" }).'),
      commandTimeout: durationSchema
        .default(15 * 60_000)
        .describe(
          'How long a short restic command (snapshots, unlock, forget, cat config, ls, stats, init) may take before it is stopped and the run fails.',
        )
        .meta({ defaultText: '`"15m"`', exampleValues: ['15m'] }),
      stallTimeout: durationSchema
        .default(30 * 60_000)
        .describe(
          'A long restic command (backup, restore, dump, check, prune) that moves no data for this long is stopped and the run fails; it may take as long as it keeps moving.',
        )
        .meta({ defaultText: '`"30m"`', exampleValues: ['30m'] }),
      lockWait: durationSchema
        .default(30 * 60_000)
        .describe(
          "How long to keep retrying while another restic process (another host's backup or prune) holds the repository lock; a stale lock of this host's is removed at once.",
        )
        .meta({ defaultText: '`"30m"`', exampleValues: ['30m'] }),
    },
    { error: 'expected an object: { url, passwordFile } or { url, passwordEnv }' },
  )
  .superRefine((value, ctx) => {
    if (value.passwordFile === undefined && value.passwordEnv === undefined)
      ctx.addIssue({ code: 'custom', message: 'set passwordFile or passwordEnv' });
    if (value.passwordFile !== undefined && value.passwordEnv !== undefined)
      ctx.addIssue({ code: 'custom', message: 'choose one: passwordFile or passwordEnv' });
  });

export type RepositorySettings = z.output<typeof repositorySchema>;

function isPingUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

const pingUrl = z
  .string({ error: 'expected an http(s) ping URL' })
  .refine(isPingUrl, { error: 'expected an http:// or https:// URL without user:password@, e.g. "https://hc-ping.com/<uuid>"' });

export const MONITOR_TIMEOUT_MS = 10_000;

export const monitorSchema = z
  .union(
    [
      pingUrl,
      z.strictObject({
        url: pingUrl.describe('The ping URL; `/start` and `/fail` are appended to its path.'),
        start: z.boolean({ error: 'expected true or false' }).default(true).describe('Send `<url>/start` when a run begins.'),
        timeout: durationSchema.default(MONITOR_TIMEOUT_MS).describe('How long one ping try may take (3 tries with backoff).'),
      }),
    ],
    { error: 'expected a ping URL such as "https://hc-ping.com/<uuid>", or { url, start, timeout }' },
  )
  .transform((value) => (typeof value === 'string' ? { url: value, start: true, timeout: MONITOR_TIMEOUT_MS } : value));

export type MonitorSettings = z.output<typeof monitorSchema>;

export const backupBlockSchema = z
  .strictObject({
    auto: z
      .boolean({ error: 'expected true or false' })
      .default(false)
      .describe('Let the daemon take backups on `schedule`.')
      .meta({ exampleValues: [true] }),
    schedule: z
      .string({ error: 'expected a cron expression string' })
      .refine(isValidCron, { error: 'expected a valid cron expression (croner syntax), e.g. "0 3 * * *"' })
      .default('0 0 * * *')
      .describe('When the daemon runs a backup: cron syntax (croner; a sixth leading field means seconds), e.g. every night at 03:30.')
      .meta({ exampleValues: ['30 3 * * *'] }),
    timezone: z
      .string({ error: 'expected an IANA time zone name' })
      .refine(isValidTimezone, { error: 'expected an IANA time zone name such as "Europe/Berlin"' })
      .optional()
      .describe('IANA time zone for `schedule`; the system zone when unset.')
      .meta({ defaultText: 'system', exampleValues: ['Europe/Berlin'] }),
    retention: retentionSchema
      .default(7)
      .describe(
        'How many backups to keep: the newest N, or a restic-style policy { keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly }.',
      )
      .meta({ exampleValues: [7, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }] }),
    path: z
      .string({ error: 'expected a directory path' })
      .min(1, { error: 'expected a directory path' })
      .optional()
      .describe('Where archives are written ("~" is expanded).')
      .meta({ defaultText: '`<stateDir>/backups`', exampleValues: ['~/.openclaw/backups'] }),
    include: stringList
      .optional()
      .describe(
        'Components (config, credentials, sessions, memory, workspace, logs, cache, state) and/or globs to back up; checked when the config loads.',
      )
      .meta({
        defaultText: 'every component but `cache`',
        exampleValues: [['config', 'credentials', 'sessions', 'memory', 'workspace', 'state']],
      }),
    exclude: stringList
      .default([])
      .describe('Components and/or globs (relative to the state dir or a workspace) to leave out; a full restore carries them over.')
      .meta({ exampleValues: [['workspace/node_modules/**', '*.mp4']] }),
    followLinks: z
      .array(z.string({ error: 'expected a path' }).min(1, { error: 'expected a non-empty path' }), {
        error: 'expected an array of symlink paths',
      })
      .default([])
      .describe(
        'Symlinks inside the state dir or a workspace whose target directory is backed up too, e.g. ["workspace/memory"] ' +
          '(relative to the state dir, or absolute). The link stays a link; its target is archived as its own root and restored to its real path.',
      )
      .meta({ exampleValues: [['workspace/memory']] }),
    compress: compressSchema
      .default('gzip')
      .describe('true = gzip, false = none, or "gzip" / "zstd" (both use every core).')
      .meta({ defaultText: '`"gzip"`', exampleValues: ['zstd'] }),
    postBackup: z
      .string({ error: 'expected a shell command string' })
      .min(1, { error: 'expected a non-empty shell command' })
      .optional()
      .describe('Shell command run after a successful backup, verify and prune (e.g. an rclone upload), with OPENCLAW_BACKUP_* set.')
      .meta({ exampleValues: ['rclone copy ~/.openclaw/backups remote:openclaw-backups'] }),
    hookTimeout: durationSchema
      .default(30 * 60 * 1000)
      .describe('How long postBackup (and onFailure) may run before its process group is killed: "30m", "90s", "1h" or seconds.')
      .meta({ defaultText: '`"30m"`', exampleValues: ['30m'] }),
    onFailure: z
      .string({ error: 'expected a shell command string' })
      .min(1, { error: 'expected a non-empty shell command' })
      .optional()
      .describe(
        'Shell command run after a failed run (backup, verify, prune or postBackup), with OPENCLAW_BACKUP_ERROR, _EXIT_CODE and _PHASE set, e.g. a curl to ntfy.',
      )
      .meta({ exampleValues: ['curl -fsS -d "openclaw backup failed: $OPENCLAW_BACKUP_ERROR" https://ntfy.sh/my-topic'] }),
    monitor: monitorSchema
      .optional()
      .describe(
        'Healthchecks-style ping URL (or { url, start, timeout }): <url>/start when a run begins, <url> on success, <url>/fail on failure.',
      )
      .meta({ exampleValues: ['https://hc-ping.com/your-check-uuid'] }),
    metricsFile: z
      .string({ error: 'expected a file path ending in .prom' })
      .regex(/\.prom$/, { error: "expected a file path ending in .prom (node_exporter's textfile collector reads only *.prom)" })
      .optional()
      .describe(
        'Prometheus text file (*.prom) written atomically after every run, for node_exporter\'s textfile collector ("~" is expanded).',
      )
      .meta({ exampleValues: ['/var/lib/node_exporter/textfile/openclaw-backup.prom'] }),
    keepRollbacks: z
      .number({ error: 'expected a non-negative integer' })
      .int({ error: 'expected a non-negative integer' })
      .min(0, { error: 'expected a non-negative integer' })
      .optional()
      .describe(
        'After an in-place restore, keep only the newest N rollback copies (<stateDir>.rollback-<time>, which hold the previous state with its credentials); unset keeps them all until `rollbacks remove`.',
      )
      .meta({ exampleValues: [1], defaultText: 'all kept' }),
    quiesce: z
      .enum(['lock', 'stop'], { error: 'expected "lock" or "stop"' })
      .default('lock')
      .describe('"lock": snapshot the databases under the cooperative lock; "stop": also stop the gateway service for the snapshot phase.'),
    encrypt: encryptSchema
      .optional()
      .describe(
        'Encrypt every archive with age (names end in .age): to recipients (public keys from `age-keygen -y`) or a recipientsFile, or with a passphrase (passphraseFile, mode 0600, or passphraseEnv).',
      )
      .meta({
        exampleValues: [
          { recipients: ['age12vnj8cd0vzpd5px3xqn48sf90zfusr0xawulnesl988xg0hv0q4sqzx4hc'] },
          { recipientsFile: '~/.config/openclaw-backup/recipients.txt' },
          { passphraseFile: '~/.config/openclaw-backup/passphrase' },
          { passphraseEnv: 'OPENCLAW_BACKUP_PASSPHRASE' },
        ],
      }),
    repository: repositorySchema
      .optional()
      .describe(
        'Back up into a restic repository instead of backup.path: one deduplicated, encrypted snapshot per backup (not combined with encrypt: restic encrypts).',
      )
      .meta({
        exampleValues: [
          { url: 'sftp:backup@nas.local:/srv/restic/openclaw', passwordFile: '~/.config/openclaw-backup/restic-password' },
          { url: 'rest:https://restic.example.net/openclaw', passwordEnv: 'RESTIC_PASSWORD', cacert: '~/.config/openclaw-backup/ca.pem' },
          { url: 's3:https://s3.example.net/bucket/openclaw', passwordFile: '~/.config/openclaw-backup/restic-password' },
          { url: 'rclone:remote:openclaw', passwordFile: '~/.config/openclaw-backup/restic-password' },
        ],
        exampleCommented: true,
      }),
  })
  .superRefine((block, ctx) => {
    // age ciphertext changes completely every night: inside a repository it would defeat deduplication, and restic
    // already encrypts every snapshot with the repository password.
    if (block.repository && block.encrypt) {
      ctx.addIssue({
        code: 'custom',
        path: ['encrypt'],
        message:
          'not used with repository: restic encrypts every snapshot with the repository password (and age ciphertext would not deduplicate); remove encrypt',
      });
    }
  });

export type BackupBlockInput = z.input<typeof backupBlockSchema>;
export type BackupBlock = z.output<typeof backupBlockSchema>;
