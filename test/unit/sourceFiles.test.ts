/**
 * The files of a local Polis export as the reader opens them: regular files only (a FIFO or
 * /dev/zero fails at once, named), size limits with the setting that raises them, votes.csv streamed,
 * ids that are not exact integers and duplicate ids named with their line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvironment, sourceLimits } from '../../shared/config';
import { ConfigurationError, InvalidInputError } from '../../shared/errors';
import { loadSource } from '../../shared/sources';
import { localFileReader, readPolisExport } from '../../shared/sources/polis';

const ROOT = path.resolve(__dirname, '../..');
const BIODIVERSITY = path.join(ROOT, 'test/fixtures/scoop-hivemind.biodiversity');
const folders: string[] = [];

function exportFolder(files: Record<string, string> = {}): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'delphi-source-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
  return folder;
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function failure(work: Promise<unknown>): Promise<InvalidInputError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidInputError);
  return error as InvalidInputError;
}

const COMMENTS = 'comment-id,comment-body\n1,Birds matter.\n2,Rats do not.\n';

describe('an export file that is not a regular file', () => {
  it('a FIFO as comments.csv fails at once (nobody ever writes to it), named', async () => {
    const folder = exportFolder();
    execFileSync('mkfifo', [path.join(folder, 'comments.csv')]);
    const started = Date.now();
    const error = await failure(loadSource(folder));
    expect(error.message).toBe('comments.csv is a named pipe (FIFO), not a regular file: export files must be plain files');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('/dev/zero as comments.csv or votes.csv fails at once, without reading it', async () => {
    const asComments = exportFolder();
    symlinkSync('/dev/zero', path.join(asComments, 'comments.csv'));
    expect((await failure(loadSource(asComments))).message).toMatch(/^comments\.csv is a character device, not a regular file/);
    const asVotes = exportFolder({ 'comments.csv': COMMENTS });
    symlinkSync('/dev/zero', path.join(asVotes, 'votes.csv'));
    expect((await failure(loadSource(asVotes))).message).toMatch(/^votes\.csv is a character device, not a regular file/);
  });

  it('a symbolic link loop and a folder are named input errors, not raw ELOOP / EISDIR', async () => {
    const loop = exportFolder();
    symlinkSync('comments.csv', path.join(loop, 'comments.csv'));
    expect((await failure(loadSource(loop))).message).toMatch(/^comments\.csv is a symbolic link that loops/);
    const folder = exportFolder({ 'comments.csv': COMMENTS });
    mkdirSync(path.join(folder, 'votes.csv'));
    expect((await failure(loadSource(folder))).message).toMatch(/^votes\.csv is a folder, not a regular file/);
  });
});

describe('size limits', () => {
  it('a file past its limit is refused before it is read, naming the setting that raises it', async () => {
    const folder = exportFolder({ 'comments.csv': COMMENTS + 'x'.repeat(2 ** 20) });
    const error = await failure(readPolisExport(localFileReader(folder, { commentsBytes: 2 ** 20, votesBytes: 2 ** 20 })));
    expect(error.message).toBe('comments.csv is 1 MB, over the 1 MB limit for it (raise it with DELPHI_MAX_COMMENTS_MB)');
    const votes = exportFolder({ 'comments.csv': COMMENTS, 'votes.csv': 'comment-id,voter-id,vote\n' + '1,1,1\n'.repeat(300_000) });
    expect((await failure(readPolisExport(localFileReader(votes, { commentsBytes: 2 ** 20, votesBytes: 2 ** 20 })))).message).toMatch(
      /^votes\.csv is 2 MB, over the 1 MB limit for it \(raise it with DELPHI_MAX_VOTES_MB\)$/,
    );
  });

  it('are read from the environment, in megabytes, with defaults far above the largest real export', () => {
    expect(sourceLimits(parseEnvironment({}))).toEqual({ commentsBytes: 64 * 2 ** 20, votesBytes: 1024 * 2 ** 20 });
    expect(sourceLimits(parseEnvironment({ DELPHI_MAX_COMMENTS_MB: '2', DELPHI_MAX_VOTES_MB: '3' }))).toEqual({ commentsBytes: 2 * 2 ** 20, votesBytes: 3 * 2 ** 20 });
    expect(() => sourceLimits(parseEnvironment({ DELPHI_MAX_VOTES_MB: 'lots' }))).toThrow(ConfigurationError);
  });

  it('votes.csv is streamed: the real export reads the same through the streaming and the whole-file reader', async () => {
    const streamed = await readPolisExport(localFileReader(BIODIVERSITY));
    const whole = localFileReader(BIODIVERSITY);
    const buffered = await readPolisExport((name) => whole(name));
    expect(streamed.vote_source).toBe('votes.csv');
    expect([...streamed.votes!]).toEqual([...buffered.votes!]);
    expect(streamed.warnings).toEqual(buffered.warnings);
  });
});

describe('ids', () => {
  it('a comment id beyond 2^53 is refused with its line, not taken for a duplicate', async () => {
    const folder = exportFolder({ 'comments.csv': 'comment-id,comment-body\n9007199254740993,A\n9007199254740992,B\n' });
    expect((await failure(loadSource(folder))).message).toBe(
      'comments.csv line 2: comment-id "9007199254740993" is beyond the largest exact integer (2^53 - 1)',
    );
    const votes = exportFolder({ 'comments.csv': COMMENTS, 'votes.csv': 'comment-id,voter-id,vote\n1,1,1\n18446744073709551616,2,1\n' });
    expect((await failure(loadSource(votes))).message).toMatch(/^votes\.csv line 3: comment-id "18446744073709551616" is beyond the largest exact integer/);
    const columns = exportFolder({ 'comments.csv': COMMENTS, 'participants-votes.csv': 'participant,group-id,1,99999999999999999999\n0,0,1,1\n' });
    expect((await failure(loadSource(columns))).message).toMatch(/^participants-votes\.csv line 1: comment column "99999999999999999999" is beyond/);
  });

  it('a duplicate comment-id names its line and the first one', async () => {
    const folder = exportFolder({ 'comments.csv': 'comment-id,comment-body\n1,A\n2,B\n1,C\n' });
    expect((await failure(loadSource(folder))).message).toBe('comments.csv line 4: duplicate comment-id 1 (first on line 2)');
  });
});

describe('the peak memory of a /dev/zero source', () => {
  it('stays that of a bare process: nothing is read', async () => {
    const folder = exportFolder({ 'comments.csv': COMMENTS });
    copyFileSync(path.join(BIODIVERSITY, 'summary.csv'), path.join(folder, 'summary.csv'));
    symlinkSync('/dev/zero', path.join(folder, 'votes.csv'));
    const script = `require('./shared/sources').loadSource(${JSON.stringify(folder)}).catch((e) => { console.log(JSON.stringify({ message: e.message, rss: process.resourceUsage().maxRSS })); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    await new Promise((resolve) => child.once('close', resolve));
    const { message, rss } = JSON.parse(out) as { message: string; rss: number };
    expect(message).toMatch(/^votes\.csv is a character device/);
    // maxRSS is in kilobytes: a Node process with the SDK loaded, far from the gigabytes /dev/zero took.
    expect(rss).toBeLessThan(300 * 1024);
  }, 30_000);
});
