/**
 * Checks the `source` of a POST before anything starts: an s3://bucket/prefix in a bucket the pipeline
 * may read, with a comments.csv under it; a Polis database, postgres://user@host:port/database?zid=N
 * (checked for form only: the Embed step connects); locally (`delphi serve`) also a folder holding
 * comments.csv. Returns the source in the one form the execution will carry (no trailing slash,
 * absolute paths).
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { asStepError } from '../aws/errors';
import { DEFAULTS } from '../config';
import { InvalidInputError } from '../errors';
import { isPostgresSource, parsePostgresSource, resolveLocalSource } from '../sources';
import { nonPublicAddress } from '../providers/policy';
import { badRequest } from './http';

export interface SourcePolicy {
  /** Local folders are accepted only by `delphi serve` and `sls invoke local --stage local`. */
  allowLocalPaths: boolean;
  /** Buckets the Embed function's role may read; empty = any (local use only). */
  allowedBuckets: string[];
  /**
   * Deployed: the database servers (`host` or `host:port`) a postgres:// source may name, like a
   * provider endpoint (docs/providers.md "What an API caller may choose"); a source naming none takes
   * the deployment's secret. Undefined = not checked (local use).
   */
  allowedDatabaseHosts?: readonly string[];
  /** For HeadObject on comments.csv; without it the object is not checked. */
  s3?: S3Client;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export async function checkSource(source: string, policy: SourcePolicy): Promise<string> {
  if (source.startsWith('s3://')) return checkS3Source(source, policy);
  if (isPostgresSource(source)) return checkPostgresSource(source, policy);
  if (!policy.allowLocalPaths) {
    throw badRequest(
      'source',
      `source must be an s3://bucket/prefix URI holding comments.csv or a postgres://user@host:port/database?zid=N URL, got "${source}"`,
    );
  }
  const folder = resolveLocalSource(source);
  const info = await stat(path.join(folder, 'comments.csv')).catch(() => undefined);
  if (!info?.isFile()) throw badRequest('source', `source "${source}" is not a folder holding comments.csv`);
  return folder;
}

async function checkS3Source(source: string, policy: SourcePolicy): Promise<string> {
  const match = S3_URI.exec(source);
  if (!match) throw badRequest('source', `source "${source}" is not a valid s3://bucket/prefix URI`);
  const bucket = match[1];
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  if (policy.allowedBuckets.length > 0 && !policy.allowedBuckets.includes(bucket)) {
    throw badRequest(
      'source',
      `The pipeline may not read bucket ${bucket}: upload the export to s3://${policy.allowedBuckets[0]}/<prefix>/ (see README "HTTP API")`,
    );
  }
  const normalised = prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
  if (!policy.s3) return normalised;
  const key = prefix ? `${prefix}/comments.csv` : 'comments.csv';
  try {
    await policy.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') {
      throw badRequest('source', `There is no comments.csv at s3://${bucket}/${key}: upload the Polis export first`);
    }
    // Without s3:ListBucket (not granted) S3 answers 403, not 404, for a key that does not exist.
    if (status === 403) throw badRequest('source', `s3://${bucket}/${key} does not exist or Delphi may not read it`);
    throw asStepError(error, `Checking s3://${bucket}/${key}`);
  }
  return normalised;
}

/**
 * A Polis database URL. Deployed, a password in it is refused: the execution input is kept in the
 * Step Functions execution history, so the Embed functions take it from their environment (PGPASSWORD)
 * instead. Locally (`delphi serve`) it is accepted; the job record holds it redacted either way.
 */
/** The server a postgres:// URL names, lower-cased, port 5432 unless given; undefined when it names none. */
function databaseHost(source: string): { host: string; port: number } | undefined {
  const url = new URL(source.trim());
  return url.hostname ? { host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: url.port ? Number(url.port) : 5432 } : undefined;
}

function sameServer(entry: string, named: { host: string; port: number }): boolean {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(entry.trim().toLowerCase());
  return Boolean(match && match[1] === named.host && Number(match[2] ?? 5432) === named.port);
}

function checkPostgresSource(source: string, policy: SourcePolicy): string {
  let parsed;
  try {
    // Only what the caller named: none of the deployment's PG* variables.
    parsed = parsePostgresSource(source, DEFAULTS);
  } catch (error) {
    if (error instanceof InvalidInputError) throw badRequest('source', error.message);
    throw error;
  }
  const named = databaseHost(source);
  if (!policy.allowLocalPaths && named && policy.allowedDatabaseHosts && !policy.allowedDatabaseHosts.some((entry) => sameServer(entry, named))) {
    const kind = nonPublicAddress(named.host);
    throw badRequest(
      'source',
      `source: database server ${named.host}:${named.port}${kind ? ` (${kind})` : ''} is not one this deployment allows; ` +
        'send postgres:///?zid=N to use the deployment\'s database, or ask its operator to add the server to DELPHI_ALLOWED_PG_HOSTS',
    );
  }
  if (parsed.hasPassword && !policy.allowLocalPaths) {
    throw badRequest(
      'source',
      'source must not carry a password: the execution input is kept in the Step Functions execution history. ' +
        'Give the pipeline the database password through its environment (PGPASSWORD) and send postgres://user@host:port/database?zid=N',
    );
  }
  return source.trim();
}
