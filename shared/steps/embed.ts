/**
 * Embed: Polis export → filtered comments → one embedding row per comment, from the configured
 * provider. A large job with an API provider is fanned out instead: Embed only plans the batches,
 * the EmbedBatches Map runs EmbedBatch on each slice, and FinishEmbedding removes stale rows.
 */
import type { StepFunction, StepResult } from '../handler';
import { OFFLINE_EMBEDDERS, type EmbeddingBatch, type StepInput } from '../pipeline';
import { createEmbeddingProvider, defaultProviderServices, type EarlierEmbeddings, type EmbeddingProvider } from '../providers';
import type { Repository } from '../repository';
import { embeddingVector } from '../contract/rows';
import { previousCompletedJob } from './lineage';
import type { Dependencies } from '../dependencies';
import { loadSource, type PolisExport } from '../sources';
import { encodeVector } from '../vectors';
import { InvalidInputError } from '../errors';
import { detectLanguages, type LanguageDetection } from '../algorithms/language';

/** Batches of `size` comments; the offline embedders are fit on the whole conversation, so they never fan out. */
export function planEmbeddingBatches(comments: number, size: number): EmbeddingBatch[] {
  const count = Math.max(1, Math.ceil(comments / size));
  return Array.from({ length: count }, (_, index) => ({
    index,
    offset: index * size,
    count: Math.min(size, comments - index * size),
    last: index === count - 1,
  }));
}

/**
 * The comments' languages for the job record (share of comments per language, the most common one);
 * each comment's own code goes on its row.
 */
function languageFacts(detection: LanguageDetection) {
  return { language: detection.conversation, language_shares: detection.shares };
}

/** The hybrid embedder's word vectors and the sentence encoder are English: the job says when comments in other languages rely on LSA alone. */
export function languageWarnings(detection: LanguageDetection, provider: string): string[] {
  if (provider !== 'hybrid' && provider !== 'sentence') return [];
  const others = detection.languages.filter((code) => code !== 'en').length;
  if (others === 0) return [];
  const shown = Object.entries(detection.shares)
    .filter(([code]) => code !== 'en')
    .map(([code, share]) => `${code} ${Math.round(share * 100)} %`)
    .join(', ');
  return [
    `${others} of ${detection.languages.length} comments are not in English (${shown}): the pretrained vectors are English, so these comments rely on LSA alone`,
  ];
}

/**
 * The vectors of the conversation's previous COMPLETED job, for an embedder that reuses them: only
 * from a job that recorded `embedding_reuse`, since only the code that records it makes a comment's
 * encoder vector from its text alone. Any such job gives the same bytes, so a retry that finds a
 * newer one writes the rows its first attempt wrote.
 */
async function earlierEmbeddings(input: StepInput, repository: Repository, embedder: EmbeddingProvider): Promise<{ job_id: string; embeddings: EarlierEmbeddings } | undefined> {
  if (!embedder.reusesEarlierVectors) return undefined;
  const previous = await previousCompletedJob(repository, await repository.requireJob(input.job_id));
  if (!previous?.embedding_reuse || previous.embedding_provider !== embedder.provider || !previous.embedding_model) return undefined;
  const rows = await repository.queryByJob('embeddings', previous.job_id, { attributes: ['comment_text', 'embedding'] });
  return {
    job_id: previous.job_id,
    embeddings: { model: previous.embedding_model, byText: new Map(rows.map((row) => [row.comment_text, embeddingVector(row)])) },
  };
}

async function embedComments(input: StepInput, deps: Dependencies, source: PolisExport, comments = source.comments, languages?: string[]) {
  // All vectors or none: a provider that keeps failing throws before anything is written.
  const embedder = createEmbeddingProvider(input.options, deps.providers ?? defaultProviderServices());
  const earlier = await earlierEmbeddings(input, deps.repository, embedder);
  const embedding = await embedder.embed(
    comments.map((comment) => comment.text),
    earlier?.embeddings,
  );
  const rows = comments.map((comment, i) => ({
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
    language: languages?.[i],
    group_votes: source.group_votes?.get(comment.comment_id),
  }));
  const facts = { provider: embedder.provider, model: embedding.model, dimensions: embedding.dimensions };
  const reuse = embedding.reuse && { from_job: earlier?.job_id ?? null, ...embedding.reuse };
  return { rows, facts, reuse, adjustments: embedding.adjustments };
}

function sourceFacts(source: PolisExport) {
  return {
    num_comments: source.comments.length,
    has_votes: source.votes !== undefined,
    // Absent when the source has no opinion groups, so such jobs keep exactly the rows they had.
    ...(source.groups ? { opinion_groups: new Set(source.groups.values()).size } : {}),
    metadata: source.metadata,
    source_filtering: source.dropped,
  };
}

export const embedStep: StepFunction = async (input, deps) => {
  const source = await loadSource(input.source, { keepModerated: input.options.keep_moderated }, deps.sources);
  const { repository } = deps;
  if (!OFFLINE_EMBEDDERS.has(input.options.embedder) && source.comments.length > input.options.fanout_embedding_batch) {
    await repository.updateJob(input.job_id, input.conversation_id, sourceFacts(source));
    const batches = planEmbeddingBatches(source.comments.length, input.options.fanout_embedding_batch);
    return { rows_written: 0, rows_deleted: 0, details: { comments: source.comments.length, batches }, warnings: source.warnings };
  }
  // Detected once here and stored on every row: the later steps read the codes instead of detecting again.
  const detection = detectLanguages(source.comments.map((comment) => comment.text));
  const { rows, facts, reuse, adjustments } = await embedComments(input, deps, source, source.comments, detection.languages);
  const { written, deleted } = await repository.replaceJobRows('embeddings', input.job_id, rows);
  await repository.updateJob(input.job_id, input.conversation_id, {
    ...sourceFacts(source),
    ...languageFacts(detection),
    embedding_model: facts.model,
    embedding_provider: facts.provider,
    embedding_dimensions: facts.dimensions,
    embedding_reuse: reuse ?? null,
  });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { comments: rows.length, ...facts, language: detection.conversation, ...(reuse ? { reused_vectors: reuse.reused, reused_from: reuse.from_job } : {}) },
    warnings: [...(source.warnings ?? []), ...languageWarnings(detection, facts.provider)],
    adjustments,
  };
};

/** One slice of a fanned-out Embed: writes its rows only, so batches can run side by side. */
export const embedBatchStep: StepFunction = async (input, deps): Promise<StepResult> => {
  if (!input.batch) throw new InvalidInputError('EmbedBatch needs a batch {index, offset, count, last} (set by the EmbedBatches Map)');
  const source = await loadSource(input.source, { keepModerated: input.options.keep_moderated }, deps.sources);
  const { offset, count, last } = input.batch;
  const end = last ? undefined : offset + count;
  const comments = source.comments.slice(offset, end);
  // Detected over the whole conversation, as an unbatched Embed does, so every batch's rows get the same codes.
  const languages = detectLanguages(source.comments.map((comment) => comment.text)).languages.slice(offset, end);
  const { rows, facts, adjustments } = await embedComments(input, deps, source, comments, languages);
  const written = await deps.repository.writeJobRows('embeddings', input.job_id, rows);
  return { rows_written: written.size, rows_deleted: 0, details: { batch: input.batch.index, comments: rows.length, ...facts }, adjustments };
};

/** After the batches: drop rows of comments no longer in the export, and record the model on the job. */
export const finishEmbeddingStep: StepFunction = async (input, { repository, sources }) => {
  const source = await loadSource(input.source, { keepModerated: input.options.keep_moderated }, sources);
  const keep = new Set(source.comments.map((comment) => String(comment.comment_id)));
  const deleted = await repository.deleteJobRowsExcept('embeddings', input.job_id, keep);
  const rows = await repository.queryByJob('embeddings', input.job_id);
  const missing = source.comments.length - rows.length;
  if (missing > 0) {
    throw new InvalidInputError(`${missing} comment(s) of the export have no embedding: the export changed during the job; start a new job`);
  }
  const first = rows[0];
  await repository.updateJob(input.job_id, input.conversation_id, {
    ...sourceFacts(source),
    ...languageFacts(detectLanguages(source.comments.map((comment) => comment.text))),
    embedding_model: first.model,
    embedding_provider: first.provider,
    embedding_dimensions: first.dimensions,
  });
  return { rows_written: 0, rows_deleted: deleted, details: { comments: rows.length } };
};
