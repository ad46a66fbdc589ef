/** Embed: Polis export → filtered comments → one embedding row per comment, from the configured provider. */
import type { StepFunction } from '../handler';
import { createEmbeddingProvider, defaultProviderServices } from '../providers';
import { loadSource } from '../sources';
import { encodeVector } from '../vectors';

export const embedStep: StepFunction = async (input, { repository, providers }) => {
  const source = await loadSource(input.source, { keepModerated: input.options.keep_moderated });
  const texts = source.comments.map((comment) => comment.text);
  // All vectors or none: a provider that keeps failing throws before anything is written.
  const embedder = createEmbeddingProvider(input.options, providers ?? defaultProviderServices());
  const embedding = await embedder.embed(texts);
  const rows = source.comments.map((comment, i) => ({
    job_id: input.job_id,
    conversation_id: input.conversation_id,
    comment_id: comment.comment_id,
    comment_text: comment.text,
    embedding: encodeVector(embedding.vectors[i]),
    dimensions: embedding.dimensions,
    model: embedding.model,
    provider: embedder.provider,
    author_id: comment.author_id,
    moderated: comment.moderated,
    created: comment.created,
    votes: source.votes?.get(comment.comment_id),
  }));
  const { written, deleted } = await repository.replaceJobRows('embeddings', input.job_id, rows);
  await repository.updateJob(input.job_id, input.conversation_id, {
    num_comments: rows.length,
    embedding_model: embedding.model,
    embedding_provider: embedder.provider,
    embedding_dimensions: embedding.dimensions,
    has_votes: source.votes !== undefined,
    metadata: source.metadata,
    source_filtering: source.dropped,
  });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { comments: rows.length, provider: embedder.provider, model: embedding.model, dimensions: embedding.dimensions },
    warnings: source.warnings,
    adjustments: embedding.adjustments,
  };
};
