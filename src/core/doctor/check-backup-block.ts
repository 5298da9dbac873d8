import { PLUGIN_KEY_PATH } from '../../config/load.js';
import { ok, type DoctorCheck, type DoctorFinding } from './types.js';

const ID = 'backup-block';

/** Where the block was found and whether it is valid. */
export const checkBackupBlock: DoctorCheck = async (context) => {
  const { configPath } = context.paths;
  if (context.configError) {
    return [{ id: ID, level: 'error', message: context.configError, fix: `edit ${configPath}; the message names the key at fault` }];
  }
  const config = context.config;
  if (!config?.exists)
    return [
      {
        id: ID,
        level: 'warn',
        message: `no config file at ${configPath}; backup defaults in effect`,
        fix: 'pass --config or --state-dir if OpenClaw keeps its config elsewhere',
      },
    ];
  if (config.location === 'none') return [ok(ID, `no backup block in ${configPath}; defaults in effect (auto: false)`)];
  if (config.location === 'top-level') {
    return [
      {
        id: ID,
        level: 'warn',
        message: `backup block found at top-level "backup" in ${configPath}: valid for this tool, but OpenClaw 2026.9.x rejects it (Unrecognized key: "backup")`,
        fix: `move it to ${PLUGIN_KEY_PATH}`,
      },
    ];
  }
  return [ok(ID, `backup block found at ${PLUGIN_KEY_PATH} in ${configPath}: valid`)];
};

interface ValidateOutput {
  valid?: boolean;
  issues?: { path?: string; message?: string }[];
  warnings?: { path?: string; message?: string }[];
}

function parseOutput(stdout: string): ValidateOutput | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as ValidateOutput;
  } catch {
    return undefined;
  }
}

const VALIDATE_ID = 'openclaw-validate';

/** When an `openclaw` binary is on PATH: does OpenClaw itself accept the config file? */
export const checkOpenClawValidate: DoctorCheck = async (context) => {
  if (!context.config?.exists) return [];
  const { configPath, stateDir } = context.paths;
  const result = await context.run('openclaw', ['config', 'validate', '--json'], {
    env: { OPENCLAW_CONFIG_PATH: configPath, OPENCLAW_STATE_DIR: stateDir, NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
  if (result.missing) return [ok(VALIDATE_ID, 'openclaw is not on PATH; skipped `openclaw config validate`')];
  const output = parseOutput(result.stdout);
  if (result.code === 0 && output?.valid !== false) {
    const warnings = (output?.warnings ?? []).map((w) => `${w.path ?? '<root>'}: ${w.message ?? ''}`);
    return [
      ok(VALIDATE_ID, `openclaw config validate accepts ${configPath}${warnings.length ? ` (warnings: ${warnings.join('; ')})` : ''}`),
    ];
  }
  const issues = (output?.issues ?? []).map((i) => `${i.path ?? '<root>'}: ${i.message ?? ''}`);
  const detail = issues.length ? issues.join('; ') : (result.stderr.trim().split('\n').at(-1) ?? `exit ${result.code}`);
  const topLevel = context.config.location === 'top-level' && issues.some((i) => i.includes('"backup"'));
  const finding: DoctorFinding = {
    id: VALIDATE_ID,
    level: 'error',
    message: `openclaw config validate rejects ${configPath}: ${detail}`,
    fix: topLevel ? `move the top-level "backup" block to ${PLUGIN_KEY_PATH}` : 'fix the keys above (see `openclaw config validate`)',
  };
  return [finding];
};
