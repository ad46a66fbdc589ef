/**
 * A minimal S3-compatible server on 127.0.0.1 for tests: path-style GetObject (GET /<bucket>/<key>)
 * from local folders, NoSuchKey for anything else. Enough for the source reader (shared/sources).
 */
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface FakeS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** `buckets`: bucket name → the folder its keys are files of. */
export async function startFakeS3(buckets: Record<string, string>): Promise<FakeS3> {
  const server = http.createServer(async (req, res) => {
    const [bucket, ...key] = decodeURIComponent(new URL(req.url ?? '/', 'http://s3').pathname).split('/').filter(Boolean);
    const folder = buckets[bucket];
    const file = folder && key.length ? path.join(folder, ...key) : undefined;
    const body = req.method === 'GET' && file?.startsWith(folder) ? await readFile(file).catch(() => undefined) : undefined;
    if (!body) {
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key.join('/')}</Key></Error>`;
      res.writeHead(404, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
      return res.end(xml);
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
