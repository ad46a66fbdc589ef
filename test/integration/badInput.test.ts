/**
 * Bad input, table-driven: each case either fails the job with a clear, specific error (recorded on
 * the job when the job can be identified) or is repaired with a warning recorded on the job. Nothing
 * crashes with a stack trace as its message, nothing is silently dropped.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const HEADER = 'comment-id,author-id,moderated,comment-body';
const GOOD_ROWS = [
  '1,1,1,We should protect native birds from predators.',
  '2,1,1,"Predator control, especially of rats and stoats, needs more funding."',
  '3,2,1,Farmers need support to fence waterways.',
  '4,2,1,Clean rivers matter for native fish.',
];

function exportFolder(files: Record<string, string | Buffer>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'delphi-bad-input-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(folder, name), content);
  return folder;
}

interface Case {
  name: string;
  input: () => Record<string, unknown>;
  /** The execution fails with this error name and a cause matching `message`. */
  fails?: { error: string; message: RegExp; recordedOnJob: boolean };
  /** The execution succeeds with a warning matching `warning` and this many comments. */
  repairs?: { warning: RegExp; comments: number };
}

const conversation = 'bad-input';
const CASES: Case[] = [
  {
    name: 'missing conversation_id',
    input: () => ({ source: BIODIVERSITY }),
    fails: { error: 'InvalidInputError', message: /conversation_id undefined is missing or malformed/, recordedOnJob: false },
  },
  {
    name: 'malformed conversation_id',
    input: () => ({ conversation_id: 'has spaces/and slashes', source: BIODIVERSITY }),
    fails: { error: 'InvalidInputError', message: /conversation_id "has spaces\/and slashes" is missing or malformed/, recordedOnJob: false },
  },
  {
    name: 'malformed job_id',
    input: () => ({ conversation_id: conversation, source: BIODIVERSITY, job_id: 'x'.repeat(200) }),
    fails: { error: 'InvalidInputError', message: /job_id "x+" is malformed/, recordedOnJob: false },
  },
  {
    name: 'missing source',
    input: () => ({ conversation_id: conversation }),
    fails: { error: 'InvalidInputError', message: /source is missing/, recordedOnJob: false },
  },
  {
    name: 'source that does not exist',
    input: () => ({ conversation_id: conversation, source: '/no/such/export' }),
    fails: { error: 'InvalidInputError', message: /source "\/no\/such\/export" does not exist/, recordedOnJob: true },
  },
  {
    name: 'CSV with missing columns',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': 'comment-id,author-id\n1,2\n' }) }),
    fails: { error: 'InvalidInputError', message: /comments.csv is missing column\(s\) comment-body/, recordedOnJob: true },
  },
  {
    name: 'duplicate comment ids',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': [HEADER, ...GOOD_ROWS, '3,9,1,Again id 3'].join('\n') }) }),
    fails: { error: 'InvalidInputError', message: /duplicate comment-id 3/, recordedOnJob: true },
  },
  {
    name: 'non-numeric comment ids',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': [HEADER, ...GOOD_ROWS, 'abc,9,1,Not a number'].join('\n') }) }),
    fails: { error: 'InvalidInputError', message: /line 6: comment-id "abc" is not an integer/, recordedOnJob: true },
  },
  {
    name: 'broken quoting',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': [HEADER, ...GOOD_ROWS, '5,9,1,"never closed'].join('\n') }) }),
    fails: { error: 'InvalidInputError', message: /comments.csv is not valid CSV: .*quote/i, recordedOnJob: true },
  },
  {
    name: 'an empty comments.csv',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': '' }) }),
    fails: { error: 'InvalidInputError', message: /comments.csv is empty/, recordedOnJob: true },
  },
  {
    name: 'only moderated-out comments',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': [HEADER, '1,1,-1,Spam', '2,1,-1,More spam'].join('\n') }) }),
    fails: { error: 'InvalidInputError', message: /no usable comments \(2 rows: 2 moderated out, 0 empty\)/, recordedOnJob: true },
  },
  {
    name: 'an unknown embedding provider',
    input: () => ({ conversation_id: conversation, source: BIODIVERSITY, options: { embedder: 'word2vec' } }),
    fails: { error: 'InvalidInputError', message: /Invalid options — embedder: Invalid enum value.*'word2vec'/, recordedOnJob: false },
  },
  {
    name: 'an unknown topic-name provider',
    input: () => ({ conversation_id: conversation, source: BIODIVERSITY, options: { topic_namer: 'gpt-99' } }),
    fails: { error: 'InvalidInputError', message: /Invalid options — topic_namer: Invalid enum value.*'gpt-99'/, recordedOnJob: false },
  },
  {
    name: 'an unknown option',
    input: () => ({ conversation_id: conversation, source: BIODIVERSITY, options: { layers: 3 } }),
    fails: { error: 'InvalidInputError', message: /Unrecognized key\(s\) in object: 'layers'/, recordedOnJob: false },
  },
  {
    name: 'invalid UTF-8',
    input: () => ({
      conversation_id: conversation,
      source: exportFolder({
        'comments.csv': Buffer.concat([Buffer.from([HEADER, ...GOOD_ROWS, '5,9,1,Caf'].join('\n')), Buffer.from([0xe9, 0xff]), Buffer.from(' au lait\n')]),
      }),
    }),
    repairs: { warning: /comments.csv: 2 undecodable byte sequence\(s\) replaced with U\+FFFD/, comments: 5 },
  },
  {
    name: 'a 100 KB comment',
    input: () => ({ conversation_id: conversation, source: exportFolder({ 'comments.csv': [HEADER, ...GOOD_ROWS, `5,9,1,${'native forest '.repeat(7500)}`].join('\n') }) }),
    repairs: { warning: /comment 5: 10\d{4} characters truncated to 5000/, comments: 5 },
  },
  {
    name: 'votes that refer to unknown comments',
    input: () => ({
      conversation_id: conversation,
      source: exportFolder({
        'comments.csv': [HEADER, ...GOOD_ROWS].join('\n'),
        'votes.csv': ['comment-id,voter-id,vote', '1,1,1', '2,1,-1', '77,1,1', '78,2,0'].join('\n'),
      }),
    }),
    repairs: { warning: /votes.csv: 2 vote\(s\) refer to comment ids not in comments.csv and were ignored/, comments: 4 },
  },
];

describe('bad input', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CASES[index];
    const executionName = `bad-input-${index}`;
    const outcome = await harness.pipeline.run(testCase.input(), { executionName, retryIntervalMs: 1 });
    const jobId = typeof testCase.input().job_id === 'string' ? String(testCase.input().job_id) : `pipeline_run_${executionName}`;
    const job = await harness.repository.getJob(jobId);
    if (testCase.fails) {
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toBe(testCase.fails.error);
      expect(outcome.cause).toMatch(testCase.fails.message);
      expect(outcome.cause).not.toMatch(/\n\s+at /); // a message, not a stack trace
      expect(outcome.events.some((e) => e.type === 'StateRetried')).toBe(false);
      if (testCase.fails.recordedOnJob) {
        expect(job?.status).toBe('FAILED');
        expect((job?.error as { cause: string }).cause).toMatch(testCase.fails.message);
        expect(await harness.repository.countByJob('embeddings', jobId)).toBe(0);
      } else {
        expect(job).toBeUndefined();
      }
    } else {
      expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
      expect(job?.status).toBe('COMPLETED');
      expect((job?.warnings as string[]).join('\n')).toMatch(testCase.repairs!.warning);
      expect(job?.num_comments).toBe(testCase.repairs!.comments);
    }
  });
});
