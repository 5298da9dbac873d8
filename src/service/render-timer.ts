import { assertNoLineBreak } from './render-systemd.js';

export interface SystemdTimerSpec {
  header?: string;
  description: string;
  /** OnCalendar= values, OR-ed. */
  onCalendar: string[];
  randomizedDelaySec: number;
  /** null: systemd's default (1 min). */
  accuracySec: number | null;
  /** The service the timer starts. */
  unit: string;
}

/** A timer that catches up a run missed while the machine was off (Persistent=true), spread by a random delay. */
export function renderSystemdTimer(spec: SystemdTimerSpec): string {
  return [
    ...(spec.header ? spec.header.split('\n').map((line) => `# ${line}`) : []),
    '[Unit]',
    `Description=${assertNoLineBreak(spec.description, 'Description')}`,
    'Documentation=https://www.npmjs.com/package/openclaw-backup',
    '',
    '[Timer]',
    ...spec.onCalendar.map((value) => `OnCalendar=${assertNoLineBreak(value, 'OnCalendar')}`),
    'Persistent=true',
    `RandomizedDelaySec=${spec.randomizedDelaySec}`,
    ...(spec.accuracySec !== null ? [`AccuracySec=${spec.accuracySec}s`] : []),
    `Unit=${spec.unit}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}
