/**
 * A fault-injecting HTTP proxy on 127.0.0.1 between the AWS SDK and dynalite. At a configurable rate
 * it answers ProvisionedThroughputExceededException, a 500, drops the connection, or (for
 * BatchWriteItem) forwards only half of the items and returns the rest as UnprocessedItems.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../../shared/algorithms/random';

export type Fault = 'throttle' | 'server-error' | 'drop' | 'unprocessed' | 'slow-down';

export interface FaultProxy {
  endpoint: string;
  /** Share of requests that get a fault, 0–1; can be changed while running. */
  rate: number;
  counts: Record<Fault | 'forwarded', number>;
  close(): Promise<void>;
}

const DYNAMODB_ERROR = 'com.amazonaws.dynamodb.v20120810#';

/**
 * `s3: true` puts the proxy in front of an S3-compatible server instead: its one fault is S3's
 * throttle, 503 SlowDown (XML), what S3 answers a prefix read too fast.
 */
export async function startFaultProxy(target: string, options: { rate?: number; seed?: number; s3?: boolean } = {}): Promise<FaultProxy> {
  const random = seededRandom(options.seed ?? 1);
  const targetUrl = new URL(target);
  const counts: FaultProxy['counts'] = { throttle: 0, 'server-error': 0, drop: 0, unprocessed: 0, 'slow-down': 0, forwarded: 0 };
  const proxy: FaultProxy = { endpoint: '', rate: options.rate ?? 0, counts, close: async () => undefined };

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length), host: targetUrl.host };
      const upstream = http.request(
        { hostname: targetUrl.hostname, port: targetUrl.port, path: req.url, method: req.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const sendJson = (res: http.ServerResponse, status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      try {
        if (options.s3 && random() < proxy.rate) {
          counts['slow-down']++;
          const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected: please reduce your request rate</Message></Error>';
          res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
          return res.end(xml);
        }
        if (!options.s3 && random() < proxy.rate) {
          const faults: Fault[] = operation === 'BatchWriteItem' ? ['throttle', 'server-error', 'drop', 'unprocessed'] : ['throttle', 'server-error', 'drop'];
          const fault = faults[Math.floor(random() * faults.length)];
          counts[fault]++;
          if (fault === 'throttle') {
            return sendJson(res, 400, { __type: `${DYNAMODB_ERROR}ProvisionedThroughputExceededException`, message: 'injected: throughput exceeded' });
          }
          if (fault === 'server-error') return sendJson(res, 500, { __type: `${DYNAMODB_ERROR}InternalServerError`, message: 'injected: internal error' });
          if (fault === 'drop') return req.socket.destroy();
          // unprocessed: forward the first half of each table's requests, hand back the rest.
          const request = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown[]> };
          const kept: Record<string, unknown[]> = {};
          const unprocessed: Record<string, unknown[]> = {};
          for (const [table, items] of Object.entries(request.RequestItems)) {
            const half = Math.ceil(items.length / 2);
            if (half > 0) kept[table] = items.slice(0, half);
            if (items.length > half) unprocessed[table] = items.slice(half);
          }
          const upstream = await forward(req, Buffer.from(JSON.stringify({ ...request, RequestItems: kept })));
          const answer = JSON.parse(upstream.body.toString('utf8') || '{}') as { UnprocessedItems?: Record<string, unknown[]> };
          for (const [table, items] of Object.entries(answer.UnprocessedItems ?? {})) unprocessed[table] = [...(unprocessed[table] ?? []), ...items];
          return sendJson(res, upstream.status, { ...answer, UnprocessedItems: unprocessed });
        }
        counts.forwarded++;
        const upstream = await forward(req, body);
        res.writeHead(upstream.status, upstream.headers);
        res.end(upstream.body);
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
