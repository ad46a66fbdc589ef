/** Embed: Polis export → filtered comments → one embedding row per comment. */
import { embedLsa } from '../algorithms/lsa';
import type { StepFunction } from '../handler';
import { loadSource } from '../sources';
import { encodeVector } from '../vectors';

export const embedStep: StepFunction = async (input, { repository }) => {
  const source = await loadSource(input.source, { keepModerated: input.options.keep_moderated });
  const texts = source.comments.map((comment) => comment.text);
  const embedding = embedLsa(texts, { dimensions: input.options.embedding_dimensions, seed: input.options.seed });
  const rows = source.comments.map((comment, i) => ({
    job_id: input.job_id,
    conversation_id: input.conversation_id,
    comment_id: comment.comment_id,
    comment_text: comment.text,
    embedding: encodeVector(embedding.vectors[i]),
    dimensions: embedding.dimensions,
    model: embedding.model,
    provider: input.options.embedder,
    author_id: comment.author_id,
    moderated: comment.moderated,
    created: comment.created,
    votes: source.votes?.get(comment.comment_id),
  }));
  const { written, deleted } = await repository.replaceJobRows('embeddings', input.job_id, rows);
  await repository.updateJob(input.job_id, input.conversation_id, {
    num_comments: rows.length,
    embedding_model: embedding.model,
    embedding_provider: input.options.embedder,
    embedding_dimensions: embedding.dimensions,
    has_votes: source.votes !== undefined,
    metadata: source.metadata,
    source_filtering: source.dropped,
  });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { comments: rows.length, dimensions: embedding.dimensions, model: embedding.model },
    warnings: source.warnings,
    adjustments: embedding.adjustments,
  };
};
