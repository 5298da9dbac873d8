import type { StatePaths } from '../../config/paths.js';
import { BackupError } from '../../errors.js';
import type { CommandRunner } from '../run-command.js';
import { statusWidgetPutParams, WIDGET_NAME } from './status-widget.js';

export interface PinResult {
  sessionKey: string;
  widget: string;
  /** OpenClaw's grant state for the declared capability: granted, pending (an Allow card on the board) or rejected. */
  grantState: string;
}

interface GatewayAnswer {
  ok?: boolean;
  error?: { message?: string; code?: string; retryable?: boolean };
  widgets?: Array<{ name?: string; grantState?: string }>;
}

function parseAnswer(stdout: string): GatewayAnswer | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as GatewayAnswer;
  } catch {
    return undefined;
  }
}

const CALL_TIMEOUT_MS = 90_000;

/** Waits between tries when the gateway answers UNAVAILABLE. */
const RETRY_DELAYS_MS = [2_000, 5_000, 10_000];

/**
 * Puts (or updates in place, by name) the status widget on a session's dashboard through the running gateway:
 * `openclaw gateway call board.widget.put` for this state dir, with OpenClaw's own credentials from its config.
 */
export async function pinStatusWidget(
  paths: StatePaths,
  sessionKey: string,
  run: CommandRunner,
  retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
): Promise<PinResult> {
  const params = JSON.stringify(statusWidgetPutParams(sessionKey));
  const put = () =>
    // `gateway call` gives up after 10 s by default; a busy gateway's board store can take longer.
    run('openclaw', ['gateway', 'call', 'board.widget.put', '--params', params, '--json', '--timeout', String(CALL_TIMEOUT_MS)], {
      env: { OPENCLAW_STATE_DIR: paths.stateDir, OPENCLAW_CONFIG_PATH: paths.configPath, NO_COLOR: '1' },
      timeoutMs: CALL_TIMEOUT_MS + 30_000,
    });
  let result = await put();
  let answer = parseAnswer(result.stdout);
  // The board store answers UNAVAILABLE while its agent database is busy (seen under load): a put is idempotent
  // by widget name, so it is simply tried again.
  for (const delay of retryDelaysMs) {
    if (!(answer?.error?.code === 'UNAVAILABLE' || answer?.error?.retryable === true)) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    result = await put();
    answer = parseAnswer(result.stdout);
  }
  if (result.missing)
    throw new BackupError('failure', 'openclaw is not on PATH: the dashboard widget is put through `openclaw gateway call`');
  if (result.code !== 0 || !answer || answer.ok === false || answer.error) {
    const why = answer?.error?.message ?? (result.stderr.trim().split('\n').at(-1) || `exit ${result.code}`);
    throw new BackupError('failure', `openclaw gateway call board.widget.put failed: ${why}`);
  }
  const widget = answer.widgets?.find((w) => w.name === WIDGET_NAME);
  return { sessionKey, widget: WIDGET_NAME, grantState: widget?.grantState ?? 'unknown' };
}
