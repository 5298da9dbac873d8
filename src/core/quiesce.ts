import type { StatePaths } from '../config/paths.js';
import type { GatewayService } from './gateway/service.js';
import { acquireStateLock } from './lock.js';
import type { Log } from './log.js';

export interface QuiesceOptions {
  mode: 'lock' | 'stop';
  paths: StatePaths;
  command: string;
  log: Log;
  signal?: AbortSignal | undefined;
  lockWaitMs?: number;
  /** Needed for mode "stop". */
  service?: GatewayService | undefined;
}

/**
 * The snapshot phase runs under the state lock; with `quiesce: "stop"` the gateway service is also stopped for it
 * and started again afterwards, also when the snapshot fails. Only a service that was running is restarted.
 */
export interface Quiesce {
  run<T>(phase: () => Promise<T>): Promise<T>;
  /** How long the lock was held (and the gateway stopped, in mode "stop"): waiting for the lock not included. */
  heldMs(): number;
}

export function makeQuiesce(options: QuiesceOptions): Quiesce {
  let held = 0;
  const run = async <T>(phase: () => Promise<T>): Promise<T> => {
    const lock = await acquireStateLock(options.paths.stateDir, {
      command: options.command, signal: options.signal, waitMs: options.lockWaitMs, onCompromised: (message) => options.log.error({}, message),
    });
    const started = Date.now();
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
            options.log.error({ service: options.service?.describe(), error: (error as Error).message }, 'could not start the gateway again');
            throw error;
          });
          options.log.info({ service: options.service.describe() }, 'gateway started again');
        }
      } finally {
        held += Date.now() - started;
        await lock.release();
      }
    }
  };
  return { run, heldMs: () => held };
}
