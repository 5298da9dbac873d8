/**
 * systemd user units for the daemon. `renderSystemdUnit` takes values already in unit syntax (so the shipped units
 * can use specifiers such as %h and %i); `quoteSystemdArg`/`escapeSystemdPath` turn concrete paths into that syntax.
 */

export interface SystemdUnitSpec {
  /** In unit syntax, like every value here. */
  description: string;
  /** The ExecStart= command line, in unit syntax. */
  execStart: string;
  /** Environment= assignments, values in unit syntax. */
  environment: Record<string, string>;
  /** Directories the sandbox leaves writable (a leading "-" means: fine if missing). */
  readWritePaths: string[];
  /** CacheDirectory= names below $XDG_CACHE_HOME: systemd creates them (0700) and leaves them writable. */
  cacheDirectories?: string[];
  header?: string;
  /** Type=oneshot without restarts or [Install]: the service a timer starts. */
  oneshot?: boolean;
}

export function assertNoLineBreak(value: string, what: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${what} cannot contain a line break: ${JSON.stringify(value)}`);
  return value;
}

/** Escapes specifiers (%) for any unit value. */
export function escapeSpecifiers(value: string): string {
  return assertNoLineBreak(value, 'a systemd unit value').replaceAll('%', '%%');
}

/** One ExecStart= word: specifiers and $ escaped, quoted when it holds whitespace, quotes or backslashes. */
export function quoteSystemdArg(value: string): string {
  const escaped = escapeSpecifiers(value).replaceAll('$', () => '$$');
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** An Environment= assignment, quoted as a whole when needed. */
function renderEnvironment(key: string, value: string): string {
  const assignment = `${key}=${value}`;
  if (!/[\s"'\\]/.test(assignment)) return `Environment=${assignment}`;
  return `Environment="${assignment.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A path for ReadWritePaths=: specifiers escaped; paths with spaces are quoted. */
export function escapeSystemdPath(value: string, optional = false): string {
  const escaped = escapeSpecifiers(value);
  const prefixed = optional ? `-${escaped}` : escaped;
  return /[\s"\\]/.test(prefixed) ? `"${prefixed.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : prefixed;
}

/**
 * Low priority, restart on failure but not on 78 (another daemon already serves the state dir), and borgmatic-style
 * hardening that leaves the network and the home dir's rclone config alone so postBackup can upload.
 */
export function renderSystemdUnit(spec: SystemdUnitSpec): string {
  const lines = [
    ...(spec.header ? spec.header.split('\n').map((line) => `# ${line}`) : []),
    '[Unit]',
    `Description=${assertNoLineBreak(spec.description, 'Description')}`,
    'Documentation=https://www.npmjs.com/package/openclaw-backup',
    'After=network-online.target',
    'Wants=network-online.target',
    '# To hear when this unit fails, point OnFailure= at a unit of yours (the README has one that posts to ntfy):',
    '#OnFailure=notify-failure@%n.service',
    // Manual restarts count too: 5 in 10 min left `systemctl --user restart` failing (start-limit-hit) on a real
    // systemd. 20 in 15 min still stops a crash loop (RestartSec=30) after about 10 minutes.
    'StartLimitIntervalSec=900',
    'StartLimitBurst=20',
    '',
    '[Service]',
    `Type=${spec.oneshot ? 'oneshot' : 'simple'}`,
    `ExecStart=${assertNoLineBreak(spec.execStart, 'ExecStart')}`,
    ...Object.entries(spec.environment).map(([key, value]) => renderEnvironment(key, value)),
    ...(spec.oneshot ? [] : ['Restart=on-failure', 'RestartSec=30', 'RestartPreventExitStatus=78']),
    'SuccessExitStatus=130',
    'TimeoutStopSec=90',
    'KillMode=mixed',
    'Nice=10',
    'IOSchedulingClass=best-effort',
    'IOSchedulingPriority=7',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    // No PrivateDevices=: in a user unit without PrivateUsers= it drops capabilities the user manager lacks, and
    // systemd 252 fails the start with 218/CAPABILITIES (the daemon never runs).
    'ProtectSystem=strict',
    `ReadWritePaths=${spec.readWritePaths.join(' ')}`,
    ...(spec.cacheDirectories?.length ? [`CacheDirectory=${spec.cacheDirectories.join(' ')}`, 'CacheDirectoryMode=0700'] : []),
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectKernelLogs=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelTunables=yes',
    'ProtectControlGroups=yes',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'RestrictNamespaces=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'SystemCallArchitectures=native',
    ...(spec.oneshot ? [] : ['', '[Install]', 'WantedBy=default.target']),
    '',
  ];
  return lines.join('\n');
}
