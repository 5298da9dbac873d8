import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback-only OpenAI-compatible chat completions server: enough for `openclaw agent` to make real turns. */
export interface FakeModelServer {
  port: number;
  baseUrl: string;
  /** Chat completion requests answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export const FAKE_PROVIDER_ID = 'fakellm';
export const FAKE_MODEL_ID = 'fake-model';
export const FAKE_MODEL_REF = `${FAKE_PROVIDER_ID}/${FAKE_MODEL_ID}`;

interface ChatMessage {
  role?: string;
  content?: unknown;
}

function lastUserText(messages: ChatMessage[] | undefined): string {
  const user = [...(messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (Array.isArray(user.content))
    return user.content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join(' ');
  return '';
}

/** The reply names the turn number and echoes the prompt's tail, so a transcript shows which turn answered what. */
function replyFor(count: number, messages: ChatMessage[] | undefined): string {
  const said = lastUserText(messages).replace(/\s+/g, ' ').trim().slice(-60);
  return `fake reply #${count} to: ${said}`;
}

const USAGE = { prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 };

function writeStream(res: http.ServerResponse, id: string, model: string, text: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }, null));
  for (const word of text.split(/(?<= )/)) res.write(chunk({ content: word }, null));
  res.write(chunk({}, 'stop', { usage: USAGE }));
  res.end('data: [DONE]\n\n');
}

function writeJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the server on 127.0.0.1 (never another interface) at an ephemeral port. */
export async function startFakeModelServer(): Promise<FakeModelServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url.endsWith('/models')) {
        writeJson(res, 200, { object: 'list', data: [{ id: FAKE_MODEL_ID, object: 'model', created: 0, owned_by: 'fake' }] });
        return;
      }
      if (req.method !== 'POST' || !url.endsWith('/chat/completions')) {
        writeJson(res, 404, { error: { message: `fake model server: no route ${req.method} ${url}` } });
        return;
      }
      let request: { model?: string; stream?: boolean; messages?: ChatMessage[] };
      try {
        request = JSON.parse(body) as typeof request;
      } catch {
        writeJson(res, 400, { error: { message: 'fake model server: body is not JSON' } });
        return;
      }
      count += 1;
      const id = `chatcmpl-fake-${count}`;
      const model = request.model ?? FAKE_MODEL_ID;
      const text = replyFor(count, request.messages);
      if (request.stream) writeStream(res, id, model, text);
      else {
        writeJson(res, 200, {
          id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: USAGE,
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `models.providers.<id>` entry that points OpenClaw at the fake server (shape from a working 2026.9.6 state). */
export function fakeProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    baseUrl,
    apiKey: 'sk-fake-local-dummy-0000',
    api: 'openai-completions',
    models: [{ id: FAKE_MODEL_ID, name: 'Fake Model', contextWindow: 32000, maxTokens: 1024 }],
  };
}
