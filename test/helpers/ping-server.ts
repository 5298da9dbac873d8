import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PingRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  body: string;
  at: number;
}

export interface PingServer {
  /** Base ping URL, e.g. http://127.0.0.1:PORT/ping/<uuid>. */
  url: string;
  requests: PingRequest[];
  /** Resolves once `count` requests have arrived (bodies read). */
  waitForRequests(count: number, timeoutMs?: number): Promise<PingRequest[]>;
  close(): Promise<void>;
}

export const PING_UUID = '5a1e7c3e-0b1d-4c47-9c6e-2f6d2a9f0c11';

/**
 * A Healthchecks stand-in on 127.0.0.1 that records every request. `mode: "hang"` accepts the request and never
 * answers; `statuses` answers the n-th request with statuses[n] (then 200).
 */
export async function startPingServer(options: { mode?: 'answer' | 'hang'; statuses?: number[] } = {}): Promise<PingServer> {
  const requests: PingRequest[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const index = requests.length;
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body, at: Date.now() });
      for (const wake of waiters) wake();
      if (options.mode === 'hang') return;
      res.writeHead(options.statuses?.[index] ?? 200, { 'content-type': 'text/plain' });
      res.end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ping/${PING_UUID}`,
    requests,
    waitForRequests(count, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} ping requests, got ${requests.length}: ${requests.map((r) => r.path).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 whose port nothing listens on (bound, then closed). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/ping/${PING_UUID}`;
}
