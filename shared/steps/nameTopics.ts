/**
 * NameTopics: one label per cluster from the configured namer, finest layer first so that a coarser
 * cluster's prompt can list the names of its children. The offline `keywords` namer builds labels
 * from the label phrases ExtractKeywords stored (noun phrases of the comments by c-TF-IDF and
 * coverage; keywords for older rows) and is recorded as such — never passed off as an LLM name. A large job with
 * an LLM namer is fanned out: NameTopics plans one item per layer and the NameLayers Map names them
 * one after the other (each layer needs its children's names), one Lambda invocation per layer.
 * A topic whose members are unchanged since the job it was matched with (Cluster's lineage,
 * ./lineage.ts) keeps the name an LLM gave it there, recorded as provider `reused`.
 */
import { InvalidInputError } from '../errors';
import type { StepFunction } from '../handler';
import type { StepInput } from '../pipeline';
import { createTopicNamer, defaultProviderServices, type ClusterToName, type TopicNamer } from '../providers';
import type { KeywordRow, TopicNameRow } from '../contract/rows';
import type { Repository } from '../repository';

export { KEYWORDS_MODEL } from '../providers/naming/keywords';

async function clusterRows(input: StepInput, repository: Pick<Repository, 'queryByJob'>) {
  const clusters = await repository.queryByJob('keywords', input.job_id);
  if (clusters.length === 0) {
    throw new InvalidInputError(`Job ${input.job_id} has no cluster keywords: run ExtractKeywords first`);
  }
  return clusters;
}

const layersOf = (clusters: KeywordRow[]) => [...new Set(clusters.map((row) => row.layer_id))].sort((a, b) => a - b);

/** An earlier job's name that a topic keeps instead of a new LLM call (docs/lineage.md "Names"). */
interface ReusedName {
  topic_name: string;
  job_id: string;
  cluster_key: string;
  topic_key: string;
  /** The LLM provider that made the name. */
  provider: string;
}

/**
 * Names an LLM namer need not make again: a topic whose lineage is `same` (≥ 90 % of its members
 * shared both ways with the previous topic) keeps that topic's name when the same provider and
 * model made it. The keywords namer costs nothing and is always run.
 */
async function reusableNames(repository: Pick<Repository, 'queryByJob'>, namer: TopicNamer, clusters: KeywordRow[]): Promise<Map<string, ReusedName>> {
  const reusable = new Map<string, ReusedName>();
  if (namer.provider === 'keywords') return reusable;
  const previousJob = clusters.map((row) => row.lineage?.compared_to).find((id) => typeof id === 'string');
  if (!previousJob) return reusable;
  const previousNames = new Map((await repository.queryByJob('topicNames', previousJob)).map((row) => [row.cluster_key, row]));
  for (const row of clusters) {
    const lineage = row.lineage;
    if (lineage?.status !== 'same' || !lineage.matched) continue;
    const previous = previousNames.get(lineage.matched);
    if (!previous) continue;
    const provider = previous.provider === 'reused' ? previous.reused_from?.provider : previous.provider;
    if (provider !== namer.provider || previous.model_name !== namer.model) continue;
    reusable.set(row.cluster_key, { topic_name: previous.topic_name, job_id: previousJob, cluster_key: lineage.matched, topic_key: previous.topic_key, provider });
  }
  return reusable;
}

/** Names the clusters of one layer; `names` holds the names of the finer layers (cluster_key → name). */
async function nameLayer(
  input: StepInput,
  namer: TopicNamer,
  clusters: KeywordRow[],
  layer: number,
  names: Map<string, string>,
  created_at: string,
  reusable: ReadonlyMap<string, ReusedName> = new Map(),
): Promise<TopicNameRow[]> {
  const inLayer = clusters.filter((row) => row.layer_id === layer);
  const byKey = new Map(clusters.map((row) => [row.cluster_key, row]));
  const ancestorPhrases = (row: KeywordRow) => {
    const phrases: string[] = [];
    for (let parent = byKey.get(String(row.parent_cluster)); parent; parent = byKey.get(String(parent.parent_cluster))) {
      const best = parent.label_phrases?.[0]?.phrase;
      if (best) phrases.push(best);
      if (phrases.length > 8) break;
    }
    return phrases;
  };
  const request: ClusterToName[] = inLayer.filter((row) => !reusable.has(row.cluster_key)).map((row) => {
    const childKeys = row.child_clusters;
    return {
      key: row.cluster_key,
      layer,
      clusterId: row.cluster_id,
      keywords: row.keywords,
      sampleComments: row.sample_comments,
      childNames: childKeys.flatMap((child) => names.get(child) ?? []),
      size: row.size,
      labelPhrases: row.label_phrases,
      children: childKeys.map((child) => ({ key: child, name: names.get(child), sameMembers: row.same_members_child === child, size: byKey.get(child)?.size })),
      ancestorPhrases: ancestorPhrases(row),
    };
  });
  const labels = request.length > 0 ? await namer.name(request) : new Map<string, string>();
  return inLayer.map((row) => {
    const reused = reusable.get(row.cluster_key);
    const topic_name = reused?.topic_name ?? labels.get(row.cluster_key);
    if (!topic_name) throw new Error(`${namer.provider} namer returned no name for ${row.cluster_key}`);
    names.set(row.cluster_key, topic_name);
    return {
      job_id: input.job_id,
      conversation_id: input.conversation_id,
      topic_key: `${input.job_id}#${row.layer_id}#${row.cluster_id}`,
      cluster_key: row.cluster_key,
      layer_id: row.layer_id,
      cluster_id: row.cluster_id,
      topic_name,
      provider: reused ? 'reused' : namer.provider,
      model_name: namer.model,
      ...(reused ? { reused_from: { job_id: reused.job_id, cluster_key: reused.cluster_key, topic_key: reused.topic_key, provider: reused.provider } } : {}),
      ...(row.topic_uid === undefined ? {} : { topic_uid: row.topic_uid }),
      ...(row.lineage === undefined ? {} : { lineage: row.lineage }),
      created_at,
    };
  });
}

const reusedCount = (rows: Array<{ provider: string }>) => rows.filter((row) => row.provider === 'reused').length;

export const nameTopicsStep: StepFunction = async (input, { repository, providers }) => {
  const clusters = await clusterRows(input, repository);
  const layers = layersOf(clusters);
  if (input.options.topic_namer !== 'keywords' && clusters.length > input.options.fanout_naming_clusters) {
    // Plan only; the rows of clusters that no longer exist go now, the layers are named by NameLayer.
    // The plan is `layer_items` (the NameLayers Map's items), not `layers`: Cluster's summary has
    // `layers` already, the clusters per layer.
    const keep = new Set(clusters.map((row) => `${input.job_id}#${row.layer_id}#${row.cluster_id}`));
    const deleted = await repository.deleteJobRowsExcept('topicNames', input.job_id, keep);
    return { rows_written: 0, rows_deleted: deleted, details: { clusters: clusters.length, layer_items: layers.map((layer) => ({ layer })) } };
  }
  const namer = createTopicNamer(input.options, providers ?? defaultProviderServices());
  const reusable = await reusableNames(repository, namer, clusters);
  const names = new Map<string, string>();
  const created_at = new Date().toISOString();
  const rows: TopicNameRow[] = [];
  for (const layer of layers) rows.push(...(await nameLayer(input, namer, clusters, layer, names, created_at, reusable)));
  const { written, deleted } = await repository.replaceJobRows('topicNames', input.job_id, rows);
  await repository.updateJob(input.job_id, input.conversation_id, { naming_calls_saved: reusedCount(rows) });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { topics: rows.length, provider: namer.provider, model: namer.model, names_reused: reusedCount(rows) },
  };
};

/** One layer of a fanned-out NameTopics; the finer layers were named (and stored) before it. */
export const nameLayerStep: StepFunction = async (input, { repository, providers }) => {
  if (input.layer === undefined) throw new InvalidInputError('NameLayer needs a layer (set by the NameLayers Map)');
  const clusters = await clusterRows(input, repository);
  const names = new Map<string, string>();
  let reusedInFinerLayers = 0;
  for (const row of await repository.queryByJob('topicNames', input.job_id)) {
    if (row.layer_id >= input.layer) continue;
    names.set(row.cluster_key, row.topic_name);
    if (row.provider === 'reused') reusedInFinerLayers++;
  }
  const namer = createTopicNamer(input.options, providers ?? defaultProviderServices());
  const layerClusters = clusters.filter((row) => row.layer_id === input.layer);
  const reusable = await reusableNames(repository, namer, layerClusters);
  const rows = await nameLayer(input, namer, clusters, input.layer, names, new Date().toISOString(), reusable);
  const written = await repository.writeJobRows('topicNames', input.job_id, rows);
  // The layers run finest first, one at a time: the last one leaves the job's total.
  await repository.updateJob(input.job_id, input.conversation_id, { naming_calls_saved: reusedInFinerLayers + reusedCount(rows) });
  return {
    rows_written: written.size,
    rows_deleted: 0,
    details: { layer: input.layer, topics: rows.length, provider: namer.provider, model: namer.model, names_reused: reusedCount(rows) },
  };
};
