import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { parse as parseXmlPlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../../../src/core/doctor/read-plist.js';
import { parseSchedule } from '../../../src/service/cron-calendar.js';
import { launchdCalendar, systemdCalendar, timerTiming, type LaunchdInterval } from '../../../src/service/render-calendar.js';
import type { ServiceTarget } from '../../../src/service/service-spec.js';
import { renderLaunchdRunFor, renderRunServiceFor, renderTimerFor } from '../../../src/service/timer-spec.js';
import { CLI, makeTempDir } from '../../helpers/fixture.js';
import { verifyUnit } from '../../helpers/systemd.js';

const BASE = new Date('2026-11-21T03:14:15.000Z');
const ITERATIONS = 14;

/** The next fire times systemd computes for OnCalendar= values (several are OR-ed), as ISO strings. */
function systemdNext(values: string[]): string[] {
  const times = new Set<string>();
  for (const value of values) {
    const result = spawnSync('systemd-analyze', ['calendar', `--iterations=${ITERATIONS}`, '--base-time=2026-11-21 03:14:15 UTC', value], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    expect(result.status, `${value}: ${result.stderr}`).toBe(0);
    for (const match of result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)) {
      times.add(new Date(`${(match[1] as string).replace(' ', 'T')}Z`).toISOString());
    }
  }
  return [...times].sort().slice(0, ITERATIONS);
}

const cronerNext = (schedule: string, timezone?: string) =>
  new Cron(schedule, { paused: true, timezone }).nextRuns(ITERATIONS, BASE).map((d) => d.toISOString());

describe('backup.schedule as OnCalendar=', () => {
  it.each([
    ['30 3 * * *', undefined],
    ['0 3 * * *', 'Europe/Berlin'],
    ['*/15 9-17 * * MON-FRI', undefined],
    ['5-20/5 1 * * *', undefined],
    ['0 */6 * * *', undefined],
    ['*/10 * * * * *', undefined],
    ['0 0 L * *', undefined],
    ['0 4 * * 5#2', undefined],
    ['0 4 * * FRI#L', undefined],
    ['0 4 * * 5L', undefined],
    ['0 0 1,15 * MON', undefined],
    ['0 0 1-7 * 1#1,3', undefined],
    ['0 12 1 * +MON', undefined],
    ['0 12 * JAN,JUL *', undefined],
    ['0 0 0 1 1 * 2027,2029', undefined],
    ['@weekly', undefined],
    ['@monthly', undefined],
    ['0 2 ? * 7', undefined],
  ])('%s (%s) fires at the times croner fires it, says systemd-analyze calendar', (schedule, timezone) => {
    const values = systemdCalendar(parseSchedule(schedule, timezone), timezone);
    expect(systemdNext(values)).toEqual(cronerNext(schedule, timezone));
  });

  it('renders compact values', () => {
    expect(systemdCalendar(parseSchedule('*/15 9-17 * * MON-FRI'))).toEqual(['Mon..Fri *-*-* 09..17:00/15:00']);
    expect(systemdCalendar(parseSchedule('0 0 1,15 * MON'), 'UTC')).toEqual(['*-*-01,15 00:00:00 UTC', 'Mon *-*-* 00:00:00 UTC']);
    expect(systemdCalendar(parseSchedule('0 4 * * FRI#L'))).toEqual(['Fri *-*~07/1 04:00:00']);
  });

  it.each([
    ['0 0 15W * *', 'W (the nearest weekday) has no systemd or launchd equivalent'],
    ['0 0 LW * *', 'W (the nearest weekday) has no systemd or launchd equivalent'],
    ['0 0 1 * +MON#2', 'the + (AND) modifier together with # or L cannot be written as a calendar'],
  ])('refuses %s clearly', (schedule, reason) => {
    expect(() => parseSchedule(schedule)).toThrow(
      `backup.schedule "${schedule}": ${reason}; use the daemon instead (service install without --timer), or change the schedule`,
    );
  });

  it('spreads runs by a tenth of the gap (at most 5 min) and tightens accuracy for frequent schedules', () => {
    expect(timerTiming('30 3 * * *', 'UTC', BASE)).toEqual({ randomizedDelaySec: 300, accuracySec: null });
    expect(timerTiming('*/5 * * * *', 'UTC', BASE)).toEqual({ randomizedDelaySec: 30, accuracySec: 1 });
    expect(timerTiming('* * * * * *', 'UTC', BASE)).toEqual({ randomizedDelaySec: 0, accuracySec: 1 });
  });
});

/**
 * launchd's rule: a dict matches when every key it has matches; the job runs when any dict matches. Each dict is
 * turned into its key/value pairs once (Weekday 7 is Sunday, 0), not again for every minute checked.
 */
function launchdRule(intervals: LaunchdInterval[]): (at: Date) => boolean {
  type Key = 'Minute' | 'Hour' | 'Day' | 'Weekday' | 'Month';
  const dicts = intervals.map((entry) =>
    Object.entries(entry).map(([key, value]) => [key as Key, key === 'Weekday' && value === 7 ? 0 : value] as const),
  );
  return (at) => {
    const values: Record<Key, number> = {
      Minute: at.getUTCMinutes(),
      Hour: at.getUTCHours(),
      Day: at.getUTCDate(),
      Weekday: at.getUTCDay(),
      Month: at.getUTCMonth() + 1,
    };
    return dicts.some((pairs) => pairs.every(([key, value]) => values[key] === value));
  };
}

describe('backup.schedule as StartCalendarInterval', () => {
  it.each([
    ['30 3 * * *', 40],
    ['*/15 9-17 * * MON-FRI', 40],
    ['0 0 1,15 * MON', 40],
    ['0 12 * JAN,JUL *', 400],
    ['@weekly', 40],
    ['0 */6 * * *', 40],
  ])('%s matches croner minute by minute over %i days', (schedule, days) => {
    const launchdFires = launchdRule(launchdCalendar(parseSchedule(schedule), undefined, 'UTC'));
    const cron = new Cron(schedule, { paused: true, timezone: 'UTC' });
    const end = BASE.getTime() + days * 86_400_000;
    const expected = new Set<number>();
    for (let next = cron.nextRun(BASE); next && next.getTime() < end; next = cron.nextRun(next)) expected.add(next.getTime());
    for (let t = Math.ceil(BASE.getTime() / 60_000) * 60_000; t < end; t += 60_000) {
      const fires = launchdFires(new Date(t));
      if (fires !== expected.has(t))
        throw new Error(`${schedule}: launchd ${fires ? 'fires' : 'does not fire'} at ${new Date(t).toISOString()}`);
    }
    expect(expected.size).toBeGreaterThan(1);
  });

  it.each([
    ['*/10 * * * * *', undefined, 'cannot express seconds'],
    ['0 0 L * *', undefined, 'cannot express L or # (a last day, an n-th weekday)'],
    ['0 4 * * 5#2', undefined, 'cannot express L or # (a last day, an n-th weekday)'],
    ['0 12 1 * +MON', undefined, 'cannot express day-of-month AND day-of-week (+)'],
    ['0 0 0 1 1 * 2027', undefined, 'cannot express a year'],
  ])('refuses %s', (schedule, timezone, reason) => {
    expect(() => launchdCalendar(parseSchedule(schedule), timezone, 'UTC')).toThrow(`launchd's StartCalendarInterval ${reason}`);
  });

  it('every minute is one empty dict; a schedule needing over 1000 dicts is refused', () => {
    expect(launchdCalendar(parseSchedule('* * * * *'), undefined, 'UTC')).toEqual([{}]);
    expect(() => launchdCalendar(parseSchedule('*/2 */2 1-30 * *'), undefined, 'UTC')).toThrow(
      'cannot express this schedule in at most 1000 entries (it needs 10800)',
    );
  });

  it('refuses a time zone that is not the system one', () => {
    expect(() => launchdCalendar(parseSchedule('0 3 * * *'), 'Asia/Tokyo', 'Europe/Berlin')).toThrow(
      'backup.timezone "Asia/Tokyo": launchd\'s StartCalendarInterval always uses the system time zone (Europe/Berlin)',
    );
    expect(launchdCalendar(parseSchedule('0 3 * * *'), 'Europe/Berlin', 'Europe/Berlin')).toEqual([{ Minute: 0, Hour: 3 }]);
  });
});

const target = (overrides: Partial<ServiceTarget> = {}): ServiceTarget => ({
  profile: 'default',
  stateDir: '/home/alice/.openclaw',
  backupDir: '/home/alice/.openclaw/backups',
  nodePath: process.execPath,
  cliPath: CLI,
  home: '/home/alice',
  searchPath: '/usr/local/bin:/usr/bin:/bin',
  ...overrides,
});

describe('service install --timer units', () => {
  it.each([
    [
      'openclaw-backup-run',
      target({ writablePaths: ['/var/lib/prometheus/node-exporter'] }),
      { schedule: '30 3 * * *', timezone: 'Europe/Berlin' },
    ],
    [
      'openclaw-backup-run@work',
      target({ profile: 'work', stateDir: '/home/alice/.openclaw-work', backupDir: '/mnt/nas/claw backups' }),
      { schedule: '0 0 1,15 * MON' },
    ],
  ])('%s.service and .timer pass systemd-analyze verify', (base, unitTarget, schedule) => {
    const dir = makeTempDir('ocb-timer-');
    const service = renderRunServiceFor(unitTarget);
    const timer = renderTimerFor(unitTarget, schedule);
    fs.writeFileSync(path.join(dir, `${base}.service`), service);
    fs.writeFileSync(path.join(dir, `${base}.timer`), timer);
    expect(verifyUnit(path.join(dir, `${base}.service`))).toEqual({ code: 0, output: '' });
    expect(verifyUnit(path.join(dir, `${base}.timer`))).toEqual({ code: 0, output: '' });
    expect(service).toContain('\nType=oneshot\n');
    expect(service).toContain(`\nExecStart=${process.execPath} ${CLI} run --state-dir ${unitTarget.stateDir}`);
    expect(service).not.toMatch(/^Restart=|^\[Install\]/m);
    expect(service).toContain('\n#OnFailure=notify-failure@%n.service\n');
    expect(timer).toContain(`\nUnit=${base}.service\n`);
    expect(timer).toContain('\nPersistent=true\n');
    expect(timer).toMatch(/\nRandomizedDelaySec=\d+\n/);
    expect(timer).toContain('\nWantedBy=timers.target\n');
    if (unitTarget.writablePaths) expect(service).toMatch(/^ReadWritePaths=.*-\/var\/lib\/prometheus\/node-exporter /m);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a timer with a calendar systemd cannot parse fails verification (the check can fail)', () => {
    const dir = makeTempDir('ocb-timer-');
    const file = path.join(dir, 'openclaw-backup-run.timer');
    fs.writeFileSync(file, renderTimerFor(target(), { schedule: '0 3 * * *' }).replace(/OnCalendar=.*/, 'OnCalendar=*-*-15W 03:00:00'));
    expect(verifyUnit(file).output).toMatch(/Failed to parse calendar specification/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the launchd plist runs `run` on StartCalendarInterval, without RunAtLoad or KeepAlive', () => {
    const text = renderLaunchdRunFor(
      target({ profile: 'work', stateDir: '/Users/a/.openclaw-work', home: '/Users/a' }),
      { schedule: '0 3 * * 1-5' },
      'UTC',
    );
    const parsed = parseXmlPlist(text) as Record<string, unknown>;
    expect(parsePlist(text)).toEqual(parsed);
    expect(parsed.Label).toBe('ai.openclaw.backup-run.work');
    expect(parsed.ProgramArguments).toEqual([process.execPath, CLI, 'run', '--state-dir', '/Users/a/.openclaw-work', '--profile', 'work']);
    expect(parsed.StartCalendarInterval).toEqual([1, 2, 3, 4, 5].map((Weekday) => ({ Minute: 0, Hour: 3, Weekday })));
    expect(parsed.RunAtLoad).toBeUndefined();
    expect(parsed.KeepAlive).toBeUndefined();
    expect(parsed.StandardErrorPath).toBe('/Users/a/.openclaw-work/logs/ai.openclaw.backup-run.work.err.log');
  });
});
