/**
 * Resolves a source reference to a Polis export: a local folder, s3://bucket/prefix, or a Polis
 * database, postgres://user:password@host:port/database?zid=N (./postgres.ts).
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../aws/clients';
import { asStepError } from '../aws/errors';
import { InvalidInputError } from '../errors';
import { environment, sourceLimits, type Environment, type SourceFileLimits } from '../config';
import { cappedStream, fileLimit, localFileReader, readAll, readPolisExport, tooLarge, type FileReader, type PolisExport, type ReadOptions } from './polis';
import { isPostgresSource, readPostgresSource } from './postgres';

let defaultS3: S3Client | undefined;

/** The clients a source read may use; unset, the container's own (made once). */
export interface SourceClients {
  s3?: S3Client;
}

/** Errors while the body streams in (a connection reset half-way) are classified like the request's. */
async function* classified(chunks: AsyncIterable<Buffer>, what: string): AsyncIterable<Buffer> {
  try {
    yield* chunks;
  } catch (error) {
    throw asStepError(error, what);
  }
}

function s3FileReader(uri: string, limits: SourceFileLimits, s3?: S3Client): FileReader {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new InvalidInputError(`source "${uri}" is not a valid s3://bucket/prefix URI`);
  const [, bucket, prefix] = match;
  const client = s3 ?? (defaultS3 ??= createS3Client());
  const stream = async (name: string): Promise<AsyncIterable<Buffer> | undefined> => {
    const key = prefix ? `${prefix.replace(/\/$/, '')}/${name}` : name;
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((out.ContentLength ?? 0) > fileLimit(name, limits).bytes) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw tooLarge(name, out.ContentLength!, limits);
      }
      const body = out.Body as unknown as Partial<AsyncIterable<Buffer>> & { transformToByteArray(): Promise<Uint8Array> };
      // The SDK's Node body is a Readable; a body that is not one is read whole (its length is checked above).
      const chunks = body[Symbol.asyncIterator]
        ? (body as AsyncIterable<Buffer>)
        : (async function* whole() {
            yield Buffer.from(await body.transformToByteArray());
          })();
      return cappedStream(classified(chunks, `S3 read of s3://${bucket}/${key}`), name, limits);
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      // A throttle (503 SlowDown) or 5xx the SDK's own retries did not absorb: TransientError, which the ASL retries.
      throw asStepError(error, `S3 GetObject s3://${bucket}/${key}`);
    }
  };
  const read = async (name: string) => {
    const chunks = await stream(name);
    return chunks ? readAll(chunks) : undefined;
  };
  return Object.assign(read, { stream });
}

/**
 * A local folder source as an absolute path. Relative ones are resolved against DELPHI_SOURCE_ROOT when
 * set — serverless.yml sets it to the project folder for `--stage local`, because `sls invoke local`
 * runs the bundled function from its build folder — else against the working directory.
 */
export function resolveLocalSource(source: string, env: Pick<Environment, 'DELPHI_SOURCE_ROOT'> = environment()): string {
  return path.resolve(env.DELPHI_SOURCE_ROOT, source);
}

export async function loadSource(source: string, options: ReadOptions = {}, clients: SourceClients = {}): Promise<PolisExport> {
  if (isPostgresSource(source)) return readPostgresSource(source, options);
  const limits = sourceLimits();
  if (source.startsWith('s3://')) return readPolisExport(s3FileReader(source, limits, clients.s3), options);
  const folder = resolveLocalSource(source);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new InvalidInputError(`source "${source}" does not exist or is not a folder holding a Polis export (comments.csv)`);
  }
  return readPolisExport(localFileReader(folder, limits), options);
}

export type { PolisExport, PolisComment, VoteTally, VoteSource } from './polis';
export { isPostgresSource, parsePostgresSource, redactSource } from './postgres';
