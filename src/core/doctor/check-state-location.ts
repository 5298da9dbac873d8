import fs from 'node:fs/promises';
import path from 'node:path';
import {
  backupLaunchdLabel,
  backupSystemdUnit,
  gatewayLaunchdLabel,
  gatewaySystemdDir,
  gatewaySystemdUnit,
  launchAgentsDir,
  systemdUserDir,
} from '../service-names.js';
import { readLaunchdService, readSystemdService, type ServiceLocation } from './service-env.js';
import { ok, type DoctorCheck, type DoctorContext, type DoctorFinding } from './types.js';

const ID = 'state-dir';

function describeSource(context: DoctorContext): string {
  const { source } = context.paths;
  return source === 'flag'
    ? '--state-dir'
    : source === 'env'
      ? '$OPENCLAW_STATE_DIR'
      : source === 'profile'
        ? `profile "${context.paths.profile}"`
        : 'the default';
}

function compare(context: DoctorContext, what: string, found: ServiceLocation, fix: string): DoctorFinding {
  const ours = context.paths;
  if (found.stateDir !== ours.stateDir) {
    return {
      id: ID,
      level: 'error',
      message: `${what} ${found.file} serves ${found.stateDir}, but this tool uses ${ours.stateDir} (from ${describeSource(context)})`,
      fix,
    };
  }
  if (found.configPath !== ours.configPath) {
    return {
      id: ID,
      level: 'error',
      message: `${what} ${found.file} reads config ${found.configPath}, but this tool reads ${ours.configPath}`,
      fix,
    };
  }
  return ok(ID, `${what} ${found.file} serves ${found.stateDir}, as this tool does`);
}

async function gatewayServices(context: DoctorContext): Promise<ServiceLocation[]> {
  const { home } = context;
  const found: ServiceLocation[] = [];
  const systemdDir = gatewaySystemdDir(home);
  const names = await fs.readdir(systemdDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^openclaw-gateway(-[^/]+)?\.service$/.test(n))) {
    const service = await readSystemdService(path.join(systemdDir, name), home);
    if (service) found.push(service);
  }
  const agents = launchAgentsDir(home);
  for (const name of (await fs.readdir(agents).catch(() => [] as string[])).filter(
    (n) => /^ai\.openclaw\.[^/]+\.plist$/.test(n) && !n.startsWith('ai.openclaw.backup') && n !== 'ai.openclaw.node.plist',
  )) {
    const service = await readLaunchdService(path.join(agents, name), home);
    if (service) found.push(service);
  }
  return found;
}

/** The gateway service and the backup service must serve the state dir (and config) this tool uses. */
export const checkStateLocation: DoctorCheck = async (context) => {
  const { paths, home } = context;
  const findings: DoctorFinding[] = [];
  const gateways = await gatewayServices(context);
  const ownNames = new Set([gatewaySystemdUnit(paths.profile), `${gatewayLaunchdLabel(paths.profile)}.plist`]);
  const own = gateways.filter((g) => ownNames.has(path.basename(g.file)));
  const others = gateways.filter((g) => !ownNames.has(path.basename(g.file)) && g.stateDir === paths.stateDir);
  const gatewayFix = `run openclaw-backup with --state-dir/--profile matching the gateway, or reinstall the gateway service for this state dir: OPENCLAW_STATE_DIR=${paths.stateDir} openclaw gateway install --force`;
  for (const service of own) findings.push(compare(context, 'gateway service', service, gatewayFix));
  for (const service of others) {
    findings.push({
      id: ID,
      level: 'warn',
      message: `gateway service ${service.file} (profile "${service.profile}") serves ${paths.stateDir}, but this tool takes the profile to be "${paths.profile}"`,
      fix: `pass --profile ${service.profile} so service names and archive names match the gateway`,
    });
  }
  if (own.length === 0 && others.length === 0)
    findings.push(ok(ID, `no gateway service found for profile "${paths.profile}" (state dir ${paths.stateDir})`));

  const backup =
    (await readSystemdService(path.join(systemdUserDir(context.env, home), backupSystemdUnit(paths.profile)), home)) ??
    (await readLaunchdService(path.join(launchAgentsDir(home), `${backupLaunchdLabel(paths.profile)}.plist`), home));
  if (backup)
    findings.push(
      compare(
        context,
        'backup service',
        backup,
        `reinstall it for this state dir: openclaw-backup --state-dir ${paths.stateDir} service install`,
      ),
    );
  return findings;
};
