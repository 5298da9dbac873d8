/**
 * The logging surface core code writes to (pino's Logger satisfies it). Core never prints; the CLI and the
 * daemon pass a logger in.
 */
export interface Log {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
