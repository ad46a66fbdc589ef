/**
 * Loopback servers (127.0.0.1) that speak the providers' wire formats, for tests that must not use
 * the network: OpenAI-compatible embeddings and chat completions, Anthropic Messages, Bedrock Runtime
 * InvokeModel (Titan v2) and Converse. Each records the requests it got; replies come from a queue
 * (one per request, for scripted failures) and then from a default responder.
 * Bedrock's SDK client speaks HTTP/2, so its server is cleartext HTTP/2 (h2c); the others HTTP/1.1.
 */
import { parseEnvironment } from '../../shared/config';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ProviderServices } from '../../shared/providers';
import type { RetryPolicy } from '../../shared/providers/http';
import { apiKeyResolver } from '../../shared/providers/secrets';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

export type Responder = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: RecordedRequest[];
  /** Replies used first, one per request, before the default responder. */
  queue(...replies: Reply[]): void;
  setResponder(responder: Responder): void;
  close(): Promise<void>;
}

export async function startFakeServer(responder: Responder, options: { protocol?: 'http1' | 'h2c' } = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const queued: Reply[] = [];
  let current = responder;
  const handle = async (method: string, path: string, headers: RecordedRequest['headers'], body: string) => {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const request: RecordedRequest = { method, path, headers, body, json };
    requests.push(request);
    const reply = queued.shift() ?? (await current(request));
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const payload = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    const contentType = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
    return { status: reply.status ?? 200, headers: { 'content-type': contentType, ...reply.headers }, payload };
  };

  const sockets = new Set<{ destroy(): void }>();
  let server: http.Server | http2.Http2Server;
  if (options.protocol === 'h2c') {
    const h2 = http2.createServer();
    h2.on('session', (session) => sockets.add(session));
    h2.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const { status, headers: replyHeaders, payload } = await handle(
          String(headers[':method']),
          String(headers[':path']),
          headers as RecordedRequest['headers'],
          Buffer.concat(chunks).toString('utf8'),
        );
        if (stream.destroyed) return;
        stream.respond({ ':status': status, ...replyHeaders });
        stream.end(payload);
      });
      stream.on('error', () => undefined);
    });
    server = h2;
  } else {
    const h1 = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const { status, headers, payload } = await handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'));
        if (res.destroyed) return;
        res.writeHead(status, headers);
        res.end(payload);
      });
    });
    h1.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server = h1;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...replies) => queued.push(...replies),
    setResponder: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic fake embeddings: hashed bag of words, so that texts sharing words get similar vectors.

const STOP = new Set('the and for that this with are was were have has not but you your they their our from will would should can could all any more been its his her who what when which there about into than them then also just very'.split(' '));

export function hashedEmbedding(text: string, dimensions = 384): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  for (const word of words) {
    if (STOP.has(word)) continue;
    const digest = createHash('sha1').update(word).digest();
    vector[digest.readUInt32LE(0) % dimensions] += digest[4] & 1 ? 1 : -1;
  }
  // A text with no content word still gets a direction of its own.
  if (!vector.some((value) => value !== 0)) vector[createHash('sha1').update(text).digest().readUInt32LE(0) % dimensions] = 1;
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
}

// ---------------------------------------------------------------------------------------------
// OpenAI (and Ollama's /v1) wire format

export function openAiEmbeddings(vectors: number[][], model: string): Reply {
  return {
    body: {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: vectors.length * 8, total_tokens: vectors.length * 8 },
    },
  };
}

export function openAiChat(content: string | null, model: string): Reply {
  return {
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_790_000_000,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 50, completion_tokens: 6, total_tokens: 56 },
    },
  };
}

export function openAiError(status: number, message: string, type: string, code: string | null = null, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { error: { message, type, param: null, code } } };
}

/** A responder answering /embeddings with hashed vectors and /chat/completions with `label(prompt)`. */
export function openAiResponder(label: (userPrompt: string) => string, dimensions = 384): Responder {
  return (request) => {
    if (request.path.endsWith('/embeddings')) {
      const input = request.json.input as string[];
      return openAiEmbeddings(input.map((text) => hashedEmbedding(text, dimensions)), request.json.model);
    }
    if (request.path.endsWith('/chat/completions')) {
      const user = (request.json.messages as Array<{ role: string; content: string }>).find((message) => message.role === 'user')!;
      return openAiChat(label(user.content), request.json.model);
    }
    return openAiError(404, `Unknown path ${request.path}`, 'invalid_request_error');
  };
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages wire format

export function anthropicMessage(text: string, model: string): Reply {
  return {
    headers: { 'request-id': 'req_fake' },
    body: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 50, output_tokens: 6 },
    },
  };
}

export function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'request-id': 'req_fake', ...headers }, body: { type: 'error', error: { type, message }, request_id: 'req_fake' } };
}

// ---------------------------------------------------------------------------------------------
// Bedrock Runtime wire format (restJson1): errors name their type in x-amzn-errortype

export function titanEmbedding(embedding: number[]): Reply {
  return { body: { embedding, inputTextTokenCount: 7, embeddingsByType: { float: embedding } } };
}

export function converseReply(text: string): Reply {
  return {
    body: {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 50, outputTokens: 6, totalTokens: 56 },
      metrics: { latencyMs: 120 },
    },
  };
}

export function bedrockError(status: number, type: string, message: string): Reply {
  return {
    status,
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'fake-request' },
    body: { message },
  };
}

/**
 * The provider services of a pipeline whose OpenAI-compatible server is a fake one: the real key
 * resolver with the key in the plain variable (as on a developer's machine), the given retries, and
 * no Bedrock.
 */
export function fakeOpenAiProviders(url: string, key: string, retry: RetryPolicy): ProviderServices {
  return {
    retry,
    apiKey: apiKeyResolver({
      ssm: () => new SSMClient({}),
      secretsManager: () => new SecretsManagerClient({}),
      env: parseEnvironment({ OPENAI_API_KEY: key, OPENAI_API_KEY_ORIGINS: url }),
    }),
    bedrock: () => {
      throw new Error('bedrock is not used here');
    },
  };
}
