/** S3 clients are made by one function (shared/aws/clients.ts createS3Client), for the source reader and the API alike. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../shared/aws/clients';

const ROOT = path.resolve(__dirname, '../..');
const files = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(path.join(ROOT, rel)).isDirectory() ? files(rel) : name.endsWith('.ts') ? [rel] : [];
  });

describe('the AWS clients', () => {
  it('construct S3 only in createS3Client', () => {
    const sources = [...files('shared'), ...files('functions')].map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')] as const);
    expect(sources.filter(([, text]) => /new S3Client\(/.test(text)).map(([file]) => file)).toEqual(['shared/aws/clients.ts']);
    expect(sources.filter(([, text]) => /export function createS3Client\(/.test(text)).map(([file]) => file)).toEqual(['shared/aws/clients.ts']);
  });

  it('give S3 the SDK-standard three attempts, and a local endpoint path-style URLs', async () => {
    expect(await createS3Client().config.maxAttempts()).toBe(3);
    const local = createS3Client('http://127.0.0.1:9000', { maxAttempts: 2, baseDelayMs: 1 });
    expect([await local.config.maxAttempts(), local.config.forcePathStyle]).toEqual([2, true]);
  });
});
