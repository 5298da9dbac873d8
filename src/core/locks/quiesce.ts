import type { LoadedConfig } from '../../config/load.js';
import type { StatePaths } from '../../config/paths.js';
import { createGatewayService, type GatewayService } from '../gateway/service.js';
import { acquireStateLock } from './lock.js';
import type { Log } from '../log.js';

export interface QuiesceOptions {
  mode: 'lock' | 'stop';
  paths: StatePaths;
  command: string;
  log: Log;
  signal?: AbortSignal | undefined;
  lockWaitMs?: number | undefined;
  /** Needed for mode "stop". */
  service?: GatewayService | undefined;
  now?: () => number;
}

/**
 * The snapshot phase runs under the state lock; with `quiesce: "stop"` the gateway service is also stopped for it
 * and started again afterwards, also when the snapshot fails. Only a service that was running is restarted.
 */
export interface Quiesce {
  run<T>(phase: () => Promise<T>): Promise<T>;
  /**
   * What `pauseMs` means everywhere (create, run, the daemon): from holding the lock until releasing it, so
   * stopping and starting the gateway in mode "stop" count and waiting for another holder does not.
   */
  heldMs(): number;
}

export function makeQuiesce(options: QuiesceOptions): Quiesce {
  const now = options.now ?? Date.now;
  let held = 0;
  const run = async <T>(phase: () => Promise<T>): Promise<T> => {
    const waitStart = now();
    const lock = await acquireStateLock(options.paths.stateDir, {
      command: options.command,
      signal: options.signal,
      waitMs: options.lockWaitMs,
      onCompromised: (message) => options.log.error({}, message),
    });
    const started = now();
    options.log.debug({ mode: options.mode, waitedMs: started - waitStart, lock: lock.path }, 'state lock taken for the snapshot phase');
    let stopped = false;
    try {
      if (options.mode === 'stop') {
        const service = options.service;
        if (!service) throw new Error('quiesce "stop" needs a service manager');
        if (await service.isActive()) {
          options.log.info({ service: service.describe() }, 'stopping the gateway for the snapshot');
          await service.stop();
          stopped = true;
        } else options.log.info({ service: service.describe() }, 'gateway service is not running; nothing to stop');
      }
      return await phase();
    } finally {
      try {
        if (stopped && options.service) {
          await options.service.start().catch((error: unknown) => {
            options.log.error(
              { service: options.service?.describe(), error: (error as Error).message },
              'could not start the gateway again',
            );
            throw error;
          });
          options.log.info({ service: options.service.describe() }, 'gateway started again');
        }
      } finally {
        held += now() - started;
        await lock.release();
        options.log.debug({ heldMs: held }, 'state lock released');
      }
    }
  };
  return { run, heldMs: () => held };
}

export interface QuiesceForOptions {
  paths: StatePaths;
  config: LoadedConfig;
  command: string;
  log: Log;
  signal?: AbortSignal | undefined;
  lockWaitMs?: number | undefined;
  /** The environment `systemctl`/`launchctl` run with (PATH). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Tests inject one; otherwise the gateway's own unit for this profile. */
  service?: GatewayService | undefined;
}

/** The one place that decides how a backup quiesces the gateway, from `backup.quiesce`: create, run and the daemon. */
export function quiesceFor(options: QuiesceForOptions): Quiesce {
  const { paths, config } = options;
  const mode = config.backup.quiesce;
  const service =
    mode === 'stop' ? (options.service ?? createGatewayService({ profile: paths.profile, home: paths.home, env: options.env })) : undefined;
  return makeQuiesce({
    mode,
    paths,
    command: options.command,
    log: options.log,
    signal: options.signal,
    lockWaitMs: options.lockWaitMs,
    service,
  });
}
