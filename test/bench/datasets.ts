/**
 * Benchmark data sets from the bundled real conversations: biodiversity, march-on, a mix of the two,
 * and synthetic conversations of any size sampled from their real comments (with replacement, lightly
 * perturbed so that copies are not identical but the vocabulary stays real; seeded).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { seededRandom } from '../../shared/algorithms/random';
import { localFileReader, readPolisExport } from '../../shared/sources/polis';

const FIXTURES = path.resolve(__dirname, '../fixtures');
export const BIODIVERSITY = path.join(FIXTURES, 'scoop-hivemind.biodiversity');
export const MARCH_ON = path.join(FIXTURES, 'march-on.operation-marchin-orders');

export interface BenchComment {
  id: number;
  body: string;
}

export function readComments(folder: string): BenchComment[] {
  const rows = parse(readFileSync(path.join(folder, 'comments.csv')), { columns: true }) as Record<string, string>[];
  return rows
    .filter((row) => row.moderated !== '-1' && row['comment-body'].trim() !== '')
    .map((row) => ({ id: Number(row['comment-id']), body: row['comment-body'] }));
}

/**
 * The comments exactly as the pipeline's Embed step takes them from a Polis export folder (the
 * pipeline's own reader: moderated-out and empty ones dropped, whitespace collapsed, long ones
 * truncated, sorted by id).
 */
export async function readPipelineComments(folder: string): Promise<BenchComment[]> {
  const source = await readPolisExport(localFileReader(folder));
  return source.comments.map((c) => ({ id: c.comment_id, body: c.text }));
}

/** Drops, duplicates or swaps a word now and then: a near-copy, as real conversations have. */
function perturb(body: string, random: () => number): string {
  const words = body.split(/\s+/).filter(Boolean);
  if (words.length < 4) return body;
  const roll = random();
  const at = Math.floor(random() * (words.length - 1));
  if (roll < 0.33) words.splice(at, 1);
  else if (roll < 0.66) [words[at], words[at + 1]] = [words[at + 1], words[at]];
  else words.splice(at, 0, words[Math.floor(random() * words.length)]);
  return words.join(' ');
}

export function syntheticComments(count: number, seed = 2026): BenchComment[] {
  const pool = [...readComments(BIODIVERSITY), ...readComments(MARCH_ON)];
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, id) => ({ id, body: perturb(pool[Math.floor(random() * pool.length)].body, random) }));
}

export function mixedComments(): BenchComment[] {
  return [...readComments(BIODIVERSITY), ...readComments(MARCH_ON).map((c) => ({ ...c, id: c.id + 100_000 }))];
}

export function writeExport(folder: string, comments: BenchComment[]): string {
  mkdirSync(folder, { recursive: true });
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const lines = comments.map((c) => `${c.id},1,1,${quote(c.body)}`);
  writeFileSync(path.join(folder, 'comments.csv'), ['comment-id,author-id,moderated,comment-body', ...lines].join('\n') + '\n');
  return folder;
}
