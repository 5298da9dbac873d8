import { redactPingUrl } from '../core/ping-url.js';
import { toolVersion } from '../core/version.js';
import type { Log } from '../core/log.js';
import type { PingRecord } from '../core/status-record.js';

/** Healthchecks' ping kinds: `<url>/start`, `<url>` (success), `<url>/fail`. */
export type PingKind = PingRecord['kind'];

/** What one ping did, as the status record keeps it (never the URL itself: it is the check's secret). */
export type PingResult = PingRecord;

export interface PingOptions {
  url: string;
  kind: PingKind;
  /** Plain-text POST body (the run summary). */
  body?: string;
  /** Healthchecks' run id (`?rid=`), so a start and its finish are paired even when runs overlap. */
  runId?: string;
  timeoutMs: number;
  tries?: number;
  log: Log;
  fetch?: typeof fetch;
}

export const PING_TRIES = 3;

/** `<url>/start`, `<url>`, `<url>/fail`: the suffix goes on the path, before any query the URL has. */
export function pingUrlFor(url: string, kind: PingKind, runId?: string): string {
  const parsed = new URL(url);
  const base = parsed.pathname.replace(/\/+$/, '');
  if (kind !== 'success') parsed.pathname = `${base}/${kind}`;
  if (runId) parsed.searchParams.set('rid', runId);
  return parsed.toString();
}

/** The worst case a ping can take: every try times out, with the backoff between tries. */
export function pingBudgetMs(timeoutMs: number, tries = PING_TRIES): number {
  let total = 0;
  for (let attempt = 1; attempt <= tries; attempt += 1) total += timeoutMs + (attempt < tries ? backoffMs(timeoutMs, attempt) : 0);
  return total;
}

/** 1 s, then 2 s for the default 10 s timeout: a tenth of the timeout, doubling. */
function backoffMs(timeoutMs: number, attempt: number): number {
  return Math.round(timeoutMs * 0.1 * 2 ** (attempt - 1));
}

function describeFailure(error: unknown, url: string, target: string, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err?.cause?.code ?? err?.cause?.message;
  const text = `${err?.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
  return text.replaceAll(url, target).split('\n')[0] as string;
}

const retryable = (status: number) => status >= 500 || status === 429 || status === 408;

/**
 * One ping: POST with a plain-text body, up to `tries` times with backoff. A 4xx other than 408/429 is not retried
 * (the URL is wrong). Never throws and never takes longer than pingBudgetMs(timeoutMs).
 */
export async function sendPing(options: PingOptions): Promise<PingResult> {
  const target = redactPingUrl(options.url);
  const tries = options.tries ?? PING_TRIES;
  const doFetch = options.fetch ?? fetch;
  let url: string;
  try {
    url = pingUrlFor(options.url, options.kind, options.runId);
  } catch {
    return { kind: options.kind, ok: false, at: new Date().toISOString(), target, status: null, attempts: 0, error: 'not a valid URL' };
  }
  let status: number | null = null;
  let error: string | null = null;
  let attempts = 0;
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    attempts = attempt;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        body: options.body ?? '',
        headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': `openclaw-backup/${toolVersion()}` },
        redirect: 'follow',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => {});
      if (response.ok) {
        error = null;
        break;
      }
      error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      if (!retryable(response.status)) break;
    } catch (caught) {
      status = null;
      error = describeFailure(caught, url, target, options.timeoutMs);
    }
    if (attempt < tries) {
      options.log.warn({ monitor: target, ping: options.kind, attempt, error }, 'monitor ping failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, backoffMs(options.timeoutMs, attempt)));
    }
  }
  const result: PingResult = { kind: options.kind, ok: error === null, at: new Date().toISOString(), target, status, attempts, error };
  if (result.ok) options.log.info({ monitor: target, ping: options.kind, status, attempts }, 'monitor pinged');
  else
    options.log.error(
      { monitor: target, ping: options.kind, status, attempts, error },
      `monitor ping failed: ${error}; the backup is not affected`,
    );
  return result;
}
