import { describe, expect, it } from 'vitest';
import { resolveStatePaths } from '../../../src/config/paths.js';
import { pinStatusWidget } from '../../../src/core/openclaw/pin-status-widget.js';
import { renderStatusWidgetHtml, statusWidgetPutParams } from '../../../src/core/openclaw/status-widget.js';
import type { CommandRunner, RunResult } from '../../../src/core/run-command.js';

const paths = resolveStatePaths({ stateDir: '/home/u/.openclaw', env: {} });
const unavailable = JSON.stringify({ ok: false, error: { code: 'UNAVAILABLE', message: 'dashboard unavailable' } });
const put = JSON.stringify({ sessionKey: 'agent:main:main', widgets: [{ name: 'openclaw-backup', grantState: 'pending' }] });

/** Answers `openclaw gateway call` from a script, recording what was asked. */
function scripted(answers: Array<Partial<RunResult>>): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    return { code: 0, stdout: '', stderr: '', missing: false, ...answers[Math.min(calls.length - 1, answers.length - 1)] };
  };
  return { run, calls };
}

describe('dashboard: the status widget', () => {
  it('declares exactly the status binding and reads it with openclaw.data.read', () => {
    const params = statusWidgetPutParams('agent:main:main') as { declared: unknown; content: { kind: string; html: string } };
    expect(params.declared).toEqual({ tools: ['openclaw-backup.status'] });
    expect(params.content.kind).toBe('html');
    expect(renderStatusWidgetHtml()).toContain('window.openclaw.data.read(METHOD)');
  });

  it('puts it through openclaw gateway call and reports the grant state', async () => {
    const { run, calls } = scripted([{ stdout: put }]);
    expect(await pinStatusWidget(paths, 'agent:main:main', run, [])).toEqual({
      sessionKey: 'agent:main:main',
      widget: 'openclaw-backup',
      grantState: 'pending',
    });
    expect(calls[0]?.slice(0, 5)).toEqual(['openclaw', 'gateway', 'call', 'board.widget.put', '--params']);
  });

  it('tries again while the gateway answers UNAVAILABLE, and gives up with its message', async () => {
    const flaky = scripted([{ code: 1, stdout: unavailable }, { code: 1, stdout: unavailable }, { stdout: put }]);
    expect((await pinStatusWidget(paths, 'agent:main:main', flaky.run, [1, 1])).grantState).toBe('pending');
    expect(flaky.calls).toHaveLength(3);
    const down = scripted([{ code: 1, stdout: unavailable }]);
    await expect(pinStatusWidget(paths, 'agent:main:main', down.run, [1, 1])).rejects.toThrow(
      'openclaw gateway call board.widget.put failed: dashboard unavailable',
    );
    expect(down.calls).toHaveLength(3);
  });

  it('a session that does not exist fails at once, with OpenClaw words; no openclaw on PATH says so', async () => {
    const missing = scripted([
      { code: 1, stdout: JSON.stringify({ ok: false, error: { code: 'INVALID_REQUEST', message: 'board session not found: x' } }) },
    ]);
    await expect(pinStatusWidget(paths, 'x', missing.run, [1])).rejects.toThrow('board session not found: x');
    expect(missing.calls).toHaveLength(1);
    const none = scripted([{ code: null, missing: true }]);
    await expect(pinStatusWidget(paths, 'x', none.run, [])).rejects.toThrow('openclaw is not on PATH');
  });
});
