import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveStatePaths } from '../../config/paths.js';
import { parsePlist } from './read-plist.js';
import { parseUnitEnvironment, readEnvFiles } from './unit-environment.js';

/** A service definition found on disk and the state dir it makes its program use. */
export interface ServiceLocation {
  file: string;
  environment: Record<string, string>;
  stateDir: string;
  configPath: string;
  profile: string;
}

const KEYS = ['HOME', 'OPENCLAW_HOME', 'OPENCLAW_STATE_DIR', 'OPENCLAW_PROFILE', 'OPENCLAW_CONFIG_PATH'] as const;

/** Which state dir a service's environment selects, by the same rules OpenClaw and this tool use. */
function locate(file: string, environment: Record<string, string>, home: string): ServiceLocation | undefined {
  const env: NodeJS.ProcessEnv = { HOME: home };
  for (const key of KEYS) if (environment[key]) env[key] = environment[key];
  try {
    const paths = resolveStatePaths({ env });
    return { file, environment, stateDir: paths.stateDir, configPath: paths.configPath, profile: paths.profile };
  } catch {
    return undefined;
  }
}

/** Reads a systemd unit (and its EnvironmentFile=s); undefined when absent or unreadable. */
export async function readSystemdService(file: string, home: string): Promise<ServiceLocation | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = parseUnitEnvironment(text, home);
  return locate(file, { ...(await readEnvFiles(parsed.environmentFiles)), ...parsed.environment }, home);
}

/**
 * Reads a LaunchAgent plist's EnvironmentVariables; OpenClaw 2026.9 may keep them instead in
 * `<stateDir>/service-env/<label>.env`, which is read when the plist names it.
 */
export async function readLaunchdService(file: string, home: string): Promise<ServiceLocation | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let plist: Record<string, unknown>;
  try {
    plist = parsePlist(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const variables = (plist.EnvironmentVariables ?? {}) as Record<string, unknown>;
  const environment = Object.fromEntries(Object.entries(variables).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  const args = Array.isArray(plist.ProgramArguments)
    ? (plist.ProgramArguments as unknown[]).filter((a): a is string => typeof a === 'string')
    : [];
  const envFiles = args.filter((arg) => arg.endsWith('.env') && arg.includes(`${path.sep}service-env${path.sep}`));
  return locate(file, { ...(await readEnvFiles(envFiles)), ...environment }, home);
}
