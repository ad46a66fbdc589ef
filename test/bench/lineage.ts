/**
 * `npx tsx test/bench/lineage.ts` — how many topics keep their uid when a conversation is analysed
 * again after it grew (docs/lineage.md). Per conversation: one job on its earliest comments (by
 * timestamp; the first half, or `--first N`), then one on all of them, through the real state machine
 * with the offline providers; prints per layer the topics, how many kept their uid and the statuses.
 *
 *   npx tsx test/bench/lineage.ts                           biodiversity (first 120) and march-on (first half)
 *   npx tsx test/bench/lineage.ts --sets march-on           one of them
 *   npx tsx test/bench/lineage.ts --embedder lsa            another offline embedder
 *
 * A benchmark that prints figures, not a test (test/integration/lineage.test.ts is the test).
 */
import '../../shared/local/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { setDependencies } from '../../shared/dependencies';
import { startLocalDatabase } from '../../shared/local/dynaliteServer';
import { LocalPipeline } from '../../shared/local/runner';
import type { Item } from '../../shared/repository';
import type { JobLineageSummary } from '../../shared/steps/lineage';
import { commentsByTime } from '../integration/support/exports';
import { BIODIVERSITY, MARCH_ON, writeExport } from './datasets';

const SETS: Record<string, { folder: string; first?: number }> = {
  biodiversity: { folder: BIODIVERSITY, first: 120 },
  'march-on': { folder: MARCH_ON },
};

async function main() {
  const { values } = parseArgs({ options: { sets: { type: 'string' }, embedder: { type: 'string' }, first: { type: 'string' } } });
  const names = values.sets ? values.sets.split(',') : Object.keys(SETS);
  const db = await startLocalDatabase();
  setDependencies({ repository: db.repository });
  const pipeline = new LocalPipeline();
  const scratch = mkdtempSync(path.join(tmpdir(), 'delphi-lineage-bench-'));
  try {
    for (const name of names) {
      const set = SETS[name];
      if (!set) throw new Error(`unknown set ${name}; one of ${Object.keys(SETS).join(', ')}`);
      const comments = commentsByTime(set.folder);
      const first = values.first ? Number(values.first) : set.first ?? Math.floor(comments.length / 2);
      const early = writeExport(path.join(scratch, name), comments.slice(0, first).map(({ id, body }) => ({ id, body })));
      const options = values.embedder ? { embedder: values.embedder } : {};
      const started = Date.now();
      for (const [execution, source] of [[`${name}-early`, early], [`${name}-all`, set.folder]] as const) {
        const outcome = await pipeline.run({ conversation_id: `bench-${name}`, source, options }, { executionName: execution });
        if (outcome.status !== 'SUCCEEDED') throw new Error(`${execution}: ${outcome.error}: ${outcome.cause}`);
      }
      const job = (await db.repository.requireJob(`pipeline_run_${name}-all`)) as Item;
      const lineage = job.lineage as JobLineageSummary;
      console.log(`\n${name}: ${first} then ${comments.length} comments (${lineage.comments?.new} new), ${values.embedder ?? 'default'} embedder, ${Math.round((Date.now() - started) / 1000)} s`);
      for (const layer of lineage.layers) {
        console.log(
          `  layer ${layer.layer_id}: ${layer.uids_kept}/${layer.topics} kept their uid — ${layer.same} same, ${layer.grown} grown, ${layer.shrunk} shrunk, ` +
            `${layer.split} split, ${layer.merged} merged, ${layer.new} new; ${layer.gone} gone`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
