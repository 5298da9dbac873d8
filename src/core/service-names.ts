import path from 'node:path';

/** Which init system a platform uses for per-user services. */
export type InitSystem = 'systemd' | 'launchd';

export function initSystemFor(platform: NodeJS.Platform): InitSystem {
  return platform === 'darwin' ? 'launchd' : 'systemd';
}

/** The default profile: unset, empty or "default" (any case), as OpenClaw treats it. */
export function isDefaultProfile(profile: string): boolean {
  return profile === '' || profile.toLowerCase() === 'default';
}

/** `openclaw-backup` for the default profile, else the template instance `openclaw-backup@<profile>`. */
export function backupSystemdUnit(profile: string): string {
  return isDefaultProfile(profile) ? 'openclaw-backup.service' : `openclaw-backup@${profile}.service`;
}

export function backupLaunchdLabel(profile: string): string {
  return isDefaultProfile(profile) ? 'ai.openclaw.backup' : `ai.openclaw.backup.${profile}`;
}

/** `service install --timer`: `openclaw-backup-run.service` + `.timer`, or the instances `openclaw-backup-run@<profile>.*`. */
export function backupRunSystemdUnits(profile: string): { service: string; timer: string } {
  const base = isDefaultProfile(profile) ? 'openclaw-backup-run' : `openclaw-backup-run@${profile}`;
  return { service: `${base}.service`, timer: `${base}.timer` };
}

/** `ai.openclaw.backup-run` (a profile named "run" keeps `ai.openclaw.backup.run`). */
export function backupRunLaunchdLabel(profile: string): string {
  return isDefaultProfile(profile) ? 'ai.openclaw.backup-run' : `ai.openclaw.backup-run.${profile}`;
}

/** OpenClaw's own names for its gateway service (src/daemon/constants.ts in OpenClaw 2026.9.x). */
export function gatewaySystemdUnit(profile: string): string {
  return isDefaultProfile(profile) ? 'openclaw-gateway.service' : `openclaw-gateway-${profile}.service`;
}

export function gatewayLaunchdLabel(profile: string): string {
  return isDefaultProfile(profile) ? 'ai.openclaw.gateway' : `ai.openclaw.${profile}`;
}

/** The gateway's unit (Linux) or launchd label (macOS) for a profile. */
export function gatewayServiceName(profile: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? gatewayLaunchdLabel(profile) : gatewaySystemdUnit(profile);
}

/** `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`. */
export function systemdUserDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'systemd', 'user');
}

/** OpenClaw writes its gateway unit under `$HOME/.config/systemd/user`, ignoring XDG_CONFIG_HOME. */
export function gatewaySystemdDir(home: string): string {
  return path.join(home, '.config', 'systemd', 'user');
}

export function launchAgentsDir(home: string): string {
  return path.join(home, 'Library', 'LaunchAgents');
}
