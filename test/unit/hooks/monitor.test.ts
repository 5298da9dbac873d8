import { afterEach, describe, expect, it } from 'vitest';
import type { Log } from '../../../src/core/log.js';
import { redactPingUrl } from '../../../src/core/ping-url.js';
import { pingBudgetMs, pingUrlFor, sendPing } from '../../../src/hooks/monitor.js';
import { closedPortUrl, startPingServer, type PingServer } from '../../helpers/ping-server.js';

function memoryLog(): Log & { lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

let server: PingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ping URLs', () => {
  it('puts the suffix on the path, before a query, and adds the run id', () => {
    expect(pingUrlFor('https://hc-ping.com/abc', 'start')).toBe('https://hc-ping.com/abc/start');
    expect(pingUrlFor('https://hc-ping.com/abc/', 'fail')).toBe('https://hc-ping.com/abc/fail');
    expect(pingUrlFor('https://hc-ping.com/abc', 'success')).toBe('https://hc-ping.com/abc');
    expect(pingUrlFor('https://hc.example/ping/key/slug?create=1', 'start', 'r1')).toBe(
      'https://hc.example/ping/key/slug/start?create=1&rid=r1',
    );
  });

  it('redacts everything but scheme and host', () => {
    expect(redactPingUrl('https://hc-ping.com/5a1e7c3e-0b1d-4c47-9c6e-2f6d2a9f0c11')).toBe('https://hc-ping.com/…');
    expect(redactPingUrl('http://127.0.0.1:8000/?token=x')).toBe('http://127.0.0.1:8000/…');
    expect(redactPingUrl('https://example.com/')).toBe('https://example.com/');
  });

  it('the budget is three timeouts plus 10% and 20% backoff', () => {
    expect(pingBudgetMs(10_000)).toBe(33_000);
  });
});

describe('sendPing', () => {
  it('POSTs the body as text and reports the answer', async () => {
    server = await startPingServer();
    const log = memoryLog();
    const result = await sendPing({ url: server.url, kind: 'fail', body: 'it broke\n', runId: 'r-1', timeoutMs: 5000, log });
    expect(result).toMatchObject({
      kind: 'fail',
      ok: true,
      status: 200,
      attempts: 1,
      error: null,
      target: `${new URL(server.url).origin}/…`,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: `${new URL(server.url).pathname}/fail`, body: 'it broke\n' });
    expect(server.requests[0]?.query.get('rid')).toBe('r-1');
    expect(JSON.stringify(log.lines)).not.toContain(new URL(server.url).pathname);
  });

  it('retries a 5xx with backoff and stops at the first success', async () => {
    server = await startPingServer({ statuses: [503, 502] });
    const result = await sendPing({ url: server.url, kind: 'success', timeoutMs: 1000, log: memoryLog() });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 404 (a wrong URL stays wrong)', async () => {
    server = await startPingServer({ statuses: [404] });
    const result = await sendPing({ url: server.url, kind: 'start', timeoutMs: 1000, log: memoryLog() });
    expect(result).toMatchObject({ ok: false, status: 404, attempts: 1, error: 'HTTP 404 Not Found' });
  });

  it('a server that never answers: three tries, each cut at the timeout; never throws', async () => {
    server = await startPingServer({ mode: 'hang' });
    const log = memoryLog();
    const result = await sendPing({ url: server.url, kind: 'success', timeoutMs: 300, log });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 3, error: 'no answer within 300 ms' });
    expect(server.requests).toHaveLength(3);
    expect(log.lines.at(-1)?.message).toBe('monitor ping failed: no answer within 300 ms; the backup is not affected');
    expect(JSON.stringify(log.lines)).not.toContain('/ping/');
  });

  it('a closed port: connection refused, named without the URL', async () => {
    const url = await closedPortUrl();
    const result = await sendPing({ url, kind: 'start', timeoutMs: 300, log: memoryLog() });
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.error).toContain('ECONNREFUSED');
    expect(result.error).not.toContain('/ping/');
  });
});
