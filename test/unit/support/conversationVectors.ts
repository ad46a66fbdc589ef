/**
 * Test support for the UMAP and clustering tests: the comments of a bundled real conversation
 * embedded with the production LSA, and synthetic Gaussian blobs with known labels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { embedLsa } from '../../../shared/algorithms/lsa';
import { gaussian, seededRandom } from '../../../shared/algorithms/random';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');
export const BIODIVERSITY = 'scoop-hivemind.biodiversity';
export const MARCH_ON = 'march-on.operation-marchin-orders';

/** The production LSA vectors (defaults: 100 dimensions, seed 42) of a fixture conversation. */
export function conversationVectors(conversation: string): Float32Array[] {
  return embedLsa(loadComments(conversation)).vectors;
}

/** Comment texts of a fixture conversation, moderated-out (-1) and empty ones dropped, by comment id. */
export function loadComments(conversation: string): string[] {
  const rows = parse(readFileSync(join(FIXTURES, conversation, 'comments.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  return rows
    .filter((row) => row.moderated !== '-1' && row['comment-body'].trim() !== '')
    .sort((a, b) => Number(a['comment-id']) - Number(b['comment-id']))
    .map((row) => row['comment-body']);
}

/**
 * `blobs` Gaussian blobs of `size` points in `dim` dimensions: centres drawn N(0, separation²),
 * points N(centre, 1). Returns vectors and the true blob of each point.
 */
export function gaussianBlobs(options: { blobs: number; size: number | number[]; dim: number; separation?: number; seed?: number }): {
  vectors: Float32Array[];
  labels: number[];
} {
  const { blobs, dim, separation = 10, seed = 1 } = options;
  const random = seededRandom(seed);
  const centres = Array.from({ length: blobs }, () => Array.from({ length: dim }, () => gaussian(random) * separation));
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  centres.forEach((centre, b) => {
    const size = Array.isArray(options.size) ? options.size[b] : options.size;
    for (let i = 0; i < size; i++) {
      vectors.push(Float32Array.from(centre, (c) => c + gaussian(random)));
      labels.push(b);
    }
  });
  return { vectors, labels };
}
