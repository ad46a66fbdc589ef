/**
 * Reader for the public Polis export format: comments.csv (comment-id, author-id, moderated,
 * comment-body, …), optional votes.csv (comment-id, voter-id, vote: 1 agree, -1 disagree, 0 pass)
 * and optional summary.csv (topic, url, …). Sources are a local folder or s3://bucket/prefix.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
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

export interface PolisExport {
  comments: PolisComment[];
  votes?: Map<number, VoteTally>;
  metadata: { title?: string; url?: string };
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

/** Reads one file of an export; undefined when an optional file is absent. */
export type FileReader = (name: string) => Promise<Buffer | undefined>;

export const MAX_COMMENT_CHARS = 5000;

export function localFileReader(folder: string): FileReader {
  return async (name) => {
    try {
      return await readFile(path.join(folder, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
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
  return number;
}

export async function readPolisExport(readFileOf: FileReader, options: ReadOptions = {}): Promise<PolisExport> {
  const warnings: string[] = [];
  const maxChars = options.maxCommentChars ?? MAX_COMMENT_CHARS;
  const commentsBuffer = await readFileOf('comments.csv');
  if (!commentsBuffer) throw new InvalidInputError('The source has no comments.csv');
  const commentsText = decodeUtf8(commentsBuffer, 'comments.csv', warnings);
  if (commentsText.trim() === '') throw new InvalidInputError('comments.csv is empty');
  const rows = parseCsv(commentsText, 'comments.csv');
  requireColumns(rows, commentsText, 'comments.csv', ['comment-id', 'comment-body']);

  const seen = new Set<number>();
  const comments: PolisComment[] = [];
  const dropped = { moderated_out: 0, empty: 0 };
  rows.forEach((row, i) => {
    const line = i + 2;
    const commentId = integerField(row['comment-id'], 'comments.csv', 'comment-id', line);
    if (commentId === undefined || commentId < 0) {
      throw new InvalidInputError(`comments.csv line ${line}: comment-id "${row['comment-id']}" is not a non-negative integer`);
    }
    if (seen.has(commentId)) throw new InvalidInputError(`comments.csv has duplicate comment-id ${commentId}`);
    seen.add(commentId);
    const moderated = integerField(row['moderated'], 'comments.csv', 'moderated', line);
    if (moderated === -1 && !options.keepModerated) {
      dropped.moderated_out++;
      return;
    }
    let text = (row['comment-body'] ?? '').replace(/\s+/g, ' ').trim();
    if (text === '') {
      dropped.empty++;
      return;
    }
    if (text.length > maxChars) {
      warnings.push(`comment ${commentId}: ${text.length} characters truncated to ${maxChars}`);
      text = text.slice(0, maxChars);
    }
    comments.push({
      comment_id: commentId,
      text,
      author_id: integerField(row['author-id'], 'comments.csv', 'author-id', line),
      moderated,
      created: integerField(row['timestamp'], 'comments.csv', 'timestamp', line),
    });
  });
  comments.sort((a, b) => a.comment_id - b.comment_id);
  if (comments.length === 0) {
    throw new InvalidInputError(
      `comments.csv has no usable comments (${rows.length} rows: ${dropped.moderated_out} moderated out, ${dropped.empty} empty)`,
    );
  }

  const votes = await readVotes(readFileOf, seen, warnings);
  const metadata = await readSummary(readFileOf);
  return { comments, votes, metadata, warnings, dropped };
}

async function readVotes(readFileOf: FileReader, knownIds: Set<number>, warnings: string[]) {
  const buffer = await readFileOf('votes.csv');
  if (!buffer) return undefined;
  const text = decodeUtf8(buffer, 'votes.csv', warnings);
  if (text.trim() === '') {
    warnings.push('votes.csv is empty: no vote features');
    return undefined;
  }
  const rows = parseCsv(text, 'votes.csv');
  requireColumns(rows, text, 'votes.csv', ['comment-id', 'voter-id', 'vote']);
  const tallies = new Map<number, VoteTally>();
  let unknown = 0;
  rows.forEach((row, i) => {
    const line = i + 2;
    const commentId = integerField(row['comment-id'], 'votes.csv', 'comment-id', line);
    const vote = integerField(row['vote'], 'votes.csv', 'vote', line);
    if (commentId === undefined || vote === undefined || ![1, 0, -1].includes(vote)) {
      throw new InvalidInputError(`votes.csv line ${line}: vote must be 1, 0 or -1 for a comment-id (got "${row['vote']}")`);
    }
    if (!knownIds.has(commentId)) {
      unknown++;
      return;
    }
    const tally = tallies.get(commentId) ?? { agree: 0, disagree: 0, pass: 0 };
    if (vote === 1) tally.agree++;
    else if (vote === -1) tally.disagree++;
    else tally.pass++;
    tallies.set(commentId, tally);
  });
  if (unknown > 0) warnings.push(`votes.csv: ${unknown} vote(s) refer to comment ids not in comments.csv and were ignored`);
  return tallies;
}

async function readSummary(readFileOf: FileReader): Promise<PolisExport['metadata']> {
  const buffer = await readFileOf('summary.csv');
  if (!buffer) return {};
  try {
    const rows: string[][] = parse(buffer.toString('utf8'), { relax_column_count: true, skip_empty_lines: true });
    const field = (name: string) => rows.find((row) => row[0] === name)?.[1]?.trim() || undefined;
    return { title: field('topic'), url: field('url') };
  } catch {
    return {}; // summary.csv is descriptive only; a malformed one must not fail the job
  }
}
