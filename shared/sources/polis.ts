/**
 * Reader for every public Polis export format: comments.csv (comment-id, author-id, moderated,
 * comment-body, optionally agrees / disagrees, …), and the votes from the first of
 *   1. votes.csv (comment-id, voter-id, vote: 1 agree, -1 disagree, 0 pass; the full history, of
 *      which each participant's latest vote on a comment counts),
 *   2. participants-votes.csv (one row per participant: participant, [xid,] group-id, counts, then
 *      one column per comment id; empty = no vote), which also gives Polis's opinion groups,
 *   3. the agrees / disagrees columns of comments.csv (tallies only, no passes),
 * and optional summary.csv (topic, url, conversation-description). Sources are a local folder or
 * s3://bucket/prefix (shared/sources/index.ts); a Polis database is read by ./postgres.ts into the
 * same shape.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { parse as parseCsvStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { tallyByGroup, type Ballot, type GroupTallies } from '../algorithms/groups';
import { DEFAULT_SOURCE_LIMITS, type SourceFileLimits } from '../config';
import { InvalidInputError } from '../errors';

export interface PolisComment {
  comment_id: number;
  text: string;
  author_id?: number;
  moderated?: number;
  created?: number;
}

export interface VoteTally {
  agree: number;
  disagree: number;
  pass: number;
}

/** Where the votes of a source came from (recorded in the job's warnings). */
export type VoteSource = 'votes.csv' | 'participants-votes.csv' | 'comments.csv' | 'postgres' | 'none';

export interface PolisExport {
  comments: PolisComment[];
  votes?: Map<number, VoteTally>;
  /** Which file or table the votes were read from; 'none' when the source has no votes. */
  vote_source: VoteSource;
  /**
   * Polis's opinion groups: participant id → group id, from participants-votes.csv's group-id
   * (participants Polis left out of its groups have none). Absent when the source has no groups.
   */
  groups?: Map<number, number>;
  /** With groups: each voted comment's tally per group (tallyByGroup), from the same votes as `votes`. */
  group_votes?: Map<number, GroupTallies>;
  metadata: { title?: string; url?: string; description?: string };
  /** Repairs applied to usable-but-odd input, recorded on the job. */
  warnings: string[];
  /** How many comments were dropped, and why. */
  dropped: { moderated_out: number; empty: number };
}

export interface ReadOptions {
  keepModerated?: boolean;
  /** Longer comments are truncated (and a warning recorded); DynamoDB items cap at 400 KB. */
  maxCommentChars?: number;
}

/**
 * Reads one file of an export; undefined when an optional file is absent. `stream`, when the source
 * has it, gives the file in chunks, so a large votes.csv is never held whole.
 */
export type FileReader = ((name: string) => Promise<Buffer | undefined>) & {
  stream?: (name: string) => Promise<AsyncIterable<Buffer> | undefined>;
};

export const MAX_COMMENT_CHARS = 5000;

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

/** The size limit of one export file (shared/config.ts: DELPHI_MAX_*_MB), with the setting that raises it. */
export function fileLimit(name: string, limits: SourceFileLimits): { bytes: number; setting: string } {
  const votes = name === 'votes.csv' || name === 'participants-votes.csv';
  return votes ? { bytes: limits.votesBytes, setting: 'DELPHI_MAX_VOTES_MB' } : { bytes: limits.commentsBytes, setting: 'DELPHI_MAX_COMMENTS_MB' };
}

export function tooLarge(name: string, size: number | string, limits: SourceFileLimits): InvalidInputError {
  const { bytes, setting } = fileLimit(name, limits);
  return new InvalidInputError(`${name} is ${typeof size === 'number' ? megabytes(size) : size}, over the ${megabytes(bytes)} limit for it (raise it with ${setting})`);
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens an export file for reading: regular files only, within the size limit. O_NONBLOCK, because
 * opening a FIFO for reading otherwise waits for a writer for ever; the type is checked on the open
 * file itself, so a file swapped after a check cannot slip through.
 */
async function openExportFile(file: string, name: string, limits: SourceFileLimits): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new InvalidInputError(`${name} is a symbolic link that loops (or has too many levels): point it at a file`);
    if (code === 'EISDIR') throw new InvalidInputError(`${name} is a folder, not a file`);
    if (code === 'EACCES' || code === 'EPERM') throw new InvalidInputError(`${name} cannot be read: permission denied`);
    if (code === 'ENOTDIR') throw new InvalidInputError(`${name}: the source path is not a folder`);
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new InvalidInputError(`${name} is ${kindOf(info)}, not a regular file: export files must be plain files`);
  }
  if (info.size > fileLimit(name, limits).bytes) {
    await handle.close();
    throw tooLarge(name, info.size, limits);
  }
  return handle;
}

/** Chunks of a file, failing once more than its limit came (a file that grows while it is read). */
async function* capped(chunks: AsyncIterable<Buffer>, name: string, limits: SourceFileLimits): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > fileLimit(name, limits).bytes) throw tooLarge(name, `more than ${megabytes(total)}`, limits);
    yield chunk;
  }
}

export async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

export function localFileReader(folder: string, limits: SourceFileLimits = DEFAULT_SOURCE_LIMITS): FileReader {
  const stream = async (name: string) => {
    const handle = await openExportFile(path.join(folder, name), name, limits);
    return handle ? capped(handle.createReadStream(), name, limits) : undefined;
  };
  const read = async (name: string) => {
    const chunks = await stream(name);
    return chunks ? readAll(chunks) : undefined;
  };
  return Object.assign(read, { stream });
}

/** Limits the chunks a source gives (S3: a body larger than its ContentLength said). */
export function cappedStream(chunks: AsyncIterable<Buffer>, name: string, limits: SourceFileLimits): AsyncIterable<Buffer> {
  return capped(chunks, name, limits);
}

function decodeUtf8(buffer: Buffer, name: string, warnings: string[]): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buffer);
  const replaced = (text.match(/\uFFFD/g) ?? []).length - (buffer.toString('latin1').match(/\xEF\xBF\xBD/g) ?? []).length;
  if (replaced > 0) warnings.push(`${name}: ${replaced} undecodable byte sequence(s) replaced with U+FFFD`);
  return text.replace(/^\uFEFF/, '');
}

function parseCsv(text: string, name: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (error) {
    throw new InvalidInputError(`${name} is not valid CSV: ${(error as Error).message}`, { cause: error });
  }
}

function requireColumns(rows: Record<string, string>[], text: string, name: string, required: string[]) {
  const header = (rows[0] ? Object.keys(rows[0]) : (text.split(/\r?\n/, 1)[0] ?? '').split(',')).map((c) => c.trim());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length) {
    throw new InvalidInputError(`${name} is missing column(s) ${missing.join(', ')} (found: ${header.join(', ') || 'none'})`);
  }
}

function integerField(value: string | undefined, name: string, column: string, line: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) {
    throw new InvalidInputError(`${name} line ${line}: ${column} "${value}" is not an integer`);
  }
  // Beyond 2^53 distinct ids collapse into one double: a false duplicate, or a row written under another id.
  if (!Number.isSafeInteger(number)) {
    throw new InvalidInputError(`${name} line ${line}: ${column} "${value.trim()}" is beyond the largest exact integer (2^53 - 1)`);
  }
  return number;
}

/** A comment as the source holds it, before filtering. */
export interface RawComment {
  comment_id: number;
  text: string;
  author_id?: number;
  moderated?: number;
  created?: number;
}

/** The longest conversation description kept on the job record. */
export const MAX_DESCRIPTION_CHARS = 1000;

/**
 * The source's comments as the pipeline takes them, the same for every source: moderated-out ones
 * (moderated = -1) dropped unless keepModerated, empty ones dropped, whitespace collapsed, long
 * ones truncated, sorted by id. Throws when none is left.
 */
export function filterComments(
  raw: RawComment[],
  options: ReadOptions,
  warnings: string[],
  describe: string,
): { comments: PolisComment[]; dropped: PolisExport['dropped'] } {
  const maxChars = options.maxCommentChars ?? MAX_COMMENT_CHARS;
  const comments: PolisComment[] = [];
  const dropped = { moderated_out: 0, empty: 0 };
  for (const row of raw) {
    if (row.moderated === -1 && !options.keepModerated) {
      dropped.moderated_out++;
      continue;
    }
    let text = row.text.replace(/\s+/g, ' ').trim();
    if (text === '') {
      dropped.empty++;
      continue;
    }
    if (text.length > maxChars) {
      warnings.push(`comment ${row.comment_id}: ${text.length} characters truncated to ${maxChars}`);
      text = text.slice(0, maxChars);
    }
    comments.push({ comment_id: row.comment_id, text, author_id: row.author_id, moderated: row.moderated, created: row.created });
  }
  comments.sort((a, b) => a.comment_id - b.comment_id);
  if (comments.length === 0) {
    throw new InvalidInputError(
      `${describe} has no usable comments (${raw.length} rows: ${dropped.moderated_out} moderated out, ${dropped.empty} empty)`,
    );
  }
  return { comments, dropped };
}

/** The warning that says where a job's votes came from. */
export function voteSourceWarning(source: VoteSource, tallies: Map<number, VoteTally> | undefined, detail = ''): string {
  if (source === 'none' || !tallies) return `votes: the source has no votes${detail ? ` (${detail})` : ''}: no vote features`;
  let total = 0;
  for (const tally of tallies.values()) total += tally.agree + tally.disagree + tally.pass;
  const from = {
    'votes.csv': 'votes.csv',
    'participants-votes.csv': 'participants-votes.csv (no votes.csv)',
    'comments.csv': "comments.csv's agrees / disagrees columns (no votes.csv or participants-votes.csv; no pass counts, so rates leave passes out)",
    postgres: 'the Polis database',
  }[source];
  return `votes: ${total} vote(s) on ${tallies.size} comment(s) read from ${from}${detail ? `; ${detail}` : ''}`;
}

export async function readPolisExport(readFileOf: FileReader, options: ReadOptions = {}): Promise<PolisExport> {
  const warnings: string[] = [];
  const commentsBuffer = await readFileOf('comments.csv');
  if (!commentsBuffer) throw new InvalidInputError('The source has no comments.csv');
  const commentsText = decodeUtf8(commentsBuffer, 'comments.csv', warnings);
  if (commentsText.trim() === '') throw new InvalidInputError('comments.csv is empty');
  const rows = parseCsv(commentsText, 'comments.csv');
  requireColumns(rows, commentsText, 'comments.csv', ['comment-id', 'comment-body']);

  const seen = new Set<number>();
  const firstLine = new Map<number, number>();
  const raw: RawComment[] = [];
  const countTallies = new Map<number, VoteTally>();
  const hasCounts = rows.length > 0 && 'agrees' in rows[0] && 'disagrees' in rows[0];
  rows.forEach((row, i) => {
    const line = i + 2;
    const commentId = integerField(row['comment-id'], 'comments.csv', 'comment-id', line);
    if (commentId === undefined || commentId < 0) {
      throw new InvalidInputError(`comments.csv line ${line}: comment-id "${row['comment-id']}" is not a non-negative integer`);
    }
    if (seen.has(commentId)) {
      throw new InvalidInputError(`comments.csv line ${line}: duplicate comment-id ${commentId} (first on line ${firstLine.get(commentId)})`);
    }
    seen.add(commentId);
    firstLine.set(commentId, line);
    if (hasCounts) {
      const agree = integerField(row['agrees'], 'comments.csv', 'agrees', line) ?? 0;
      const disagree = integerField(row['disagrees'], 'comments.csv', 'disagrees', line) ?? 0;
      if (agree < 0 || disagree < 0) throw new InvalidInputError(`comments.csv line ${line}: agrees / disagrees must not be negative`);
      if (agree + disagree > 0) countTallies.set(commentId, { agree, disagree, pass: 0 });
    }
    raw.push({
      comment_id: commentId,
      text: row['comment-body'] ?? '',
      author_id: integerField(row['author-id'], 'comments.csv', 'author-id', line),
      moderated: integerField(row['moderated'], 'comments.csv', 'moderated', line),
      created: integerField(row['timestamp'], 'comments.csv', 'timestamp', line),
    });
  });
  const { comments, dropped } = filterComments(raw, options, warnings, 'comments.csv');

  let found = await readVotes(readFileOf, seen, warnings);
  if (found) {
    found.groups = await groupsBesideVotes(readFileOf, seen);
    const groups = found.groups;
    // voter-id and participant are both Polis's pid; if no voter is in a group, they are not.
    if (groups && !(found.ballots ?? []).some(([voter]) => groups.has(voter))) {
      found.groups = undefined;
      warnings.push("participants-votes.csv: none of votes.csv's voter-ids is one of its grouped participants: no opinion groups");
    } else if (groups) {
      found.group_votes = tallyByGroup(found.ballots ?? [], groups, found.votes.keys());
      const detail = `opinion groups of ${groups.size} participant(s) from participants-votes.csv`;
      found.detail = found.detail ? `${found.detail}; ${detail}` : detail;
    }
  }
  else found = await readParticipantsVotes(readFileOf, seen, warnings);
  if (!found && hasCounts) found = { votes: countTallies, vote_source: 'comments.csv' as const, detail: '' };
  const { votes, vote_source, groups, group_votes, detail } = found ?? {
    votes: undefined,
    vote_source: 'none' as const,
    groups: undefined,
    detail: 'no votes.csv, participants-votes.csv or agrees / disagrees columns in comments.csv',
  };
  warnings.push(voteSourceWarning(vote_source, votes, detail));
  const metadata = await readSummary(readFileOf);
  return { comments, votes, vote_source, groups, ...(groups && group_votes ? { group_votes } : {}), metadata, warnings, dropped };
}

interface FoundVotes {
  votes: Map<number, VoteTally>;
  vote_source: VoteSource;
  groups?: Map<number, number>;
  group_votes?: Map<number, GroupTallies>;
  /** Each counted vote with its voter, when voters are known: what group_votes are tallied from. */
  ballots?: Ballot[];
  detail: string;
}

function addVote(tallies: Map<number, VoteTally>, commentId: number, vote: number) {
  const tally = tallies.get(commentId) ?? { agree: 0, disagree: 0, pass: 0 };
  if (vote === 1) tally.agree++;
  else if (vote === -1) tally.disagree++;
  else tally.pass++;
  tallies.set(commentId, tally);
}

/**
 * A CSV file's records one at a time (the file streamed when the source can), its header checked for
 * `required` before the first record. Undefined when the file is absent; header() is undefined after
 * the records of an empty file.
 */
async function streamCsv(readFileOf: FileReader, name: string, required: string[]) {
  const chunks = readFileOf.stream ? await readFileOf.stream(name) : await readFileOf(name).then((buffer) => buffer && [buffer]);
  if (!chunks) return undefined;
  let header: string[] | undefined;
  const parser = parseCsvStream({
    columns: (first: string[]) => (header = first),
    skip_empty_lines: true,
    relax_column_count: false,
    trim: false,
    bom: true,
  });
  const source = Readable.from(chunks);
  source.once('error', (error) => parser.destroy(error));
  source.pipe(parser);
  async function* rows(): AsyncGenerator<Record<string, string>> {
    let checked = false;
    const check = () => {
      if (checked || !header) return;
      checked = true;
      const found = header.map((column) => column.trim());
      const missing = required.filter((column) => !found.includes(column));
      if (missing.length) throw new InvalidInputError(`${name} is missing column(s) ${missing.join(', ')} (found: ${found.join(', ') || 'none'})`);
    };
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        check();
        yield record;
      }
      check();
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      throw new InvalidInputError(`${name} is not valid CSV: ${(error as Error).message}`, { cause: error });
    } finally {
      source.destroy();
    }
  }
  return { rows: rows(), header: () => header };
}

/**
 * votes.csv is Polis's vote history: a participant who changed their mind has several rows for a
 * comment. Only the latest (by timestamp, else the later row) counts, as in Polis's
 * votes_latest_unique and participants-votes.csv.
 */
async function readVotes(readFileOf: FileReader, knownIds: Set<number>, warnings: string[]): Promise<FoundVotes | undefined> {
  const records = await streamCsv(readFileOf, 'votes.csv', ['comment-id', 'voter-id', 'vote']);
  if (!records) return undefined;
  // (voter, comment) → [timestamp, vote, comment, voter]
  const latest = new Map<string, [number, number, number, string]>();
  let unknown = 0;
  let count = 0;
  for await (const row of records.rows) {
    const line = ++count + 1;
    const commentId = integerField(row['comment-id'], 'votes.csv', 'comment-id', line);
    const vote = integerField(row['vote'], 'votes.csv', 'vote', line);
    if (commentId === undefined || vote === undefined || ![1, 0, -1].includes(vote)) {
      throw new InvalidInputError(`votes.csv line ${line}: vote must be 1, 0 or -1 for a comment-id (got "${row['vote']}")`);
    }
    if (!knownIds.has(commentId)) {
      unknown++;
      continue;
    }
    const voter = (row['voter-id'] ?? '').trim();
    const timestamp = integerField(row['timestamp'], 'votes.csv', 'timestamp', line) ?? -Infinity;
    // Without a voter-id every row is its own vote.
    const key = voter === '' ? `#${line}` : `${voter}:${commentId}`;
    const previous = latest.get(key);
    if (!previous || timestamp >= previous[0]) latest.set(key, [timestamp, vote, commentId, voter]);
  }
  if (!records.header()) {
    warnings.push('votes.csv is empty: no vote features');
    return undefined;
  }
  if (unknown > 0) warnings.push(`votes.csv: ${unknown} vote(s) refer to comment ids not in comments.csv and were ignored`);
  const tallies = new Map<number, VoteTally>();
  const ballots: Ballot[] = [];
  for (const [, vote, commentId, voter] of latest.values()) {
    addVote(tallies, commentId, vote);
    // voter-id is participants-votes.csv's participant (Polis's pid): the key to the groups.
    if (/^\d+$/.test(voter)) ballots.push([Number(voter), commentId, vote]);
  }
  const superseded = count - unknown - latest.size;
  return {
    votes: tallies,
    vote_source: 'votes.csv',
    ballots,
    detail: superseded > 0 ? `${superseded} earlier vote(s) of a participant on the same comment superseded by their latest` : '',
  };
}

/**
 * With votes.csv the votes come from it, and participants-votes.csv, when there too, gives only the
 * opinion groups; a malformed one then costs the groups, not the job (the warning says so).
 */
async function groupsBesideVotes(readFileOf: FileReader, knownIds: Set<number>): Promise<Map<number, number> | undefined> {
  try {
    return (await readParticipantsVotes(readFileOf, knownIds, []))?.groups;
  } catch (error) {
    if (error instanceof InvalidInputError) return undefined;
    throw error;
  }
}

const COMMENT_COLUMN = /^\d+$/;

/**
 * participants-votes.csv: one row per participant — participant, optionally xid, group-id,
 * n-comments, n-votes, n-agree, n-disagree — then one column per comment id holding that
 * participant's vote (1 agree, -1 disagree, 0 pass, empty = no vote).
 */
async function readParticipantsVotes(readFileOf: FileReader, knownIds: Set<number>, warnings: string[]): Promise<FoundVotes | undefined> {
  const name = 'participants-votes.csv';
  const buffer = await readFileOf(name);
  if (!buffer) return undefined;
  const text = decodeUtf8(buffer, name, warnings);
  if (text.trim() === '') {
    warnings.push(`${name} is empty: no vote features`);
    return undefined;
  }
  const rows = parseCsv(text, name);
  requireColumns(rows, text, name, ['participant']);
  const header = rows[0] ? Object.keys(rows[0]) : (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((c) => c.trim());
  const commentColumns = header.filter((column) => COMMENT_COLUMN.test(column.trim()));
  const unsafe = commentColumns.find((column) => !Number.isSafeInteger(Number(column)));
  if (unsafe) throw new InvalidInputError(`${name} line 1: comment column "${unsafe.trim()}" is beyond the largest exact integer (2^53 - 1)`);
  if (commentColumns.length === 0) {
    throw new InvalidInputError(`${name} has no comment columns (a column per comment id after participant, group-id and the counts; found: ${header.join(', ')})`);
  }
  const hasGroups = header.includes('group-id');
  const tallies = new Map<number, VoteTally>();
  const groups = new Map<number, number>();
  const participants = new Set<number>();
  const ballots: Ballot[] = [];
  let unknown = 0;
  rows.forEach((row, i) => {
    const line = i + 2;
    const participant = integerField(row['participant'], name, 'participant', line);
    if (participant === undefined || participant < 0) {
      throw new InvalidInputError(`${name} line ${line}: participant "${row['participant']}" is not a non-negative integer`);
    }
    if (participants.has(participant)) throw new InvalidInputError(`${name} line ${line}: duplicate participant ${participant}`);
    participants.add(participant);
    if (hasGroups) {
      const group = integerField(row['group-id'], name, 'group-id', line);
      if (group !== undefined) groups.set(participant, group);
    }
    for (const column of commentColumns) {
      const cell = row[column].trim();
      if (cell === '') continue;
      const vote = Number(cell);
      if (vote !== 1 && vote !== 0 && vote !== -1) {
        throw new InvalidInputError(`${name} line ${line}: the vote on comment ${column} must be 1, 0, -1 or empty (got "${cell}")`);
      }
      const commentId = Number(column);
      if (!knownIds.has(commentId)) {
        unknown++;
        continue;
      }
      addVote(tallies, commentId, vote);
      if (hasGroups) ballots.push([participant, commentId, vote]);
    }
  });
  if (unknown > 0) warnings.push(`${name}: ${unknown} vote(s) refer to comment ids not in comments.csv and were ignored`);
  const grouped = new Set(groups.values()).size;
  return {
    votes: tallies,
    vote_source: 'participants-votes.csv',
    groups: hasGroups && groups.size > 0 ? groups : undefined,
    group_votes: hasGroups && groups.size > 0 ? tallyByGroup(ballots, groups, tallies.keys()) : undefined,
    detail: hasGroups && groups.size > 0
      ? `${participants.size} participant(s), ${groups.size} of them in ${grouped} Polis opinion group(s)`
      : `${participants.size} participant(s), no opinion groups`,
  };
}

async function readSummary(readFileOf: FileReader): Promise<PolisExport['metadata']> {
  const buffer = await readFileOf('summary.csv');
  if (!buffer) return {};
  try {
    const rows: string[][] = parse(buffer.toString('utf8'), { relax_column_count: true, skip_empty_lines: true });
    const field = (name: string) => rows.find((row) => row[0] === name)?.[1]?.trim() || undefined;
    const description = field('conversation-description')?.replace(/\s+/g, ' ');
    return {
      title: field('topic'),
      url: field('url'),
      ...(description ? { description: description.slice(0, MAX_DESCRIPTION_CHARS) } : {}),
    };
  } catch {
    return {}; // summary.csv is descriptive only; a malformed one must not fail the job
  }
}
