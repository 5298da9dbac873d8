/** LaunchAgent property lists for the daemon. */

export interface LaunchdPlistSpec {
  label: string;
  programArguments: string[];
  environment: Record<string, string>;
  stdoutPath: string;
  stderrPath: string;
  workingDirectory?: string;
  comment?: string;
  /** StartCalendarInterval dicts: the job runs on this calendar instead of at load and kept alive. */
  calendar?: Record<string, number>[];
}

function renderCalendar(calendar: Record<string, number>[]): string[] {
  const dict = (entry: Record<string, number>, indent: string) => [
    `${indent}<dict>`,
    ...Object.entries(entry).flatMap(([key, value]) => [
      `${indent}  <key>${escapeXml(key)}</key>`,
      `${indent}  <integer>${value}</integer>`,
    ]),
    `${indent}</dict>`,
  ];
  return ['    <key>StartCalendarInterval</key>', '    <array>', ...calendar.flatMap((entry) => dict(entry, '      ')), '    </array>'];
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

const string = (value: string) => `<string>${escapeXml(value)}</string>`;

/**
 * RunAtLoad + KeepAlive (restart after a crash, but not after exit 78: another daemon already serves the state dir),
 * background process type with low-priority I/O, and the state dir/profile in EnvironmentVariables.
 */
export function renderLaunchdPlist(spec: LaunchdPlistSpec): string {
  const env = Object.entries(spec.environment)
    .map(([key, value]) => `      <key>${escapeXml(key)}</key>\n      ${string(value)}`)
    .join('\n');
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '  <dict>',
    '    <key>Label</key>',
    `    ${string(spec.label)}`,
    ...(spec.comment ? ['    <key>Comment</key>', `    ${string(spec.comment)}`] : []),
    '    <key>ProgramArguments</key>',
    '    <array>',
    ...spec.programArguments.map((arg) => `      ${string(arg)}`),
    '    </array>',
    '    <key>EnvironmentVariables</key>',
    '    <dict>',
    env,
    '    </dict>',
    ...(spec.workingDirectory ? ['    <key>WorkingDirectory</key>', `    ${string(spec.workingDirectory)}`] : []),
    ...(spec.calendar
      ? renderCalendar(spec.calendar)
      : [
          '    <key>RunAtLoad</key>',
          '    <true/>',
          '    <key>KeepAlive</key>',
          '    <dict>',
          '      <key>SuccessfulExit</key>',
          '      <false/>',
          '    </dict>',
          '    <key>ThrottleInterval</key>',
          '    <integer>30</integer>',
        ]),
    '    <key>ProcessType</key>',
    '    <string>Background</string>',
    '    <key>LowPriorityIO</key>',
    '    <true/>',
    '    <key>Nice</key>',
    '    <integer>10</integer>',
    '    <key>Umask</key>',
    '    <integer>63</integer>',
    '    <key>StandardInPath</key>',
    '    <string>/dev/null</string>',
    '    <key>StandardOutPath</key>',
    `    ${string(spec.stdoutPath)}`,
    '    <key>StandardErrorPath</key>',
    `    ${string(spec.stderrPath)}`,
    '  </dict>',
    '</plist>',
    '',
  ];
  return lines.join('\n');
}
