/**
 * `npx tsx test/bench/encoder.ts` — the sentence encoder alone on March On's comments (no LSA, no
 * database), in a fresh process: the first encode (with the model's load, or the workers' start-up),
 * a second one (warm), CPU time of both (the worker threads' included) and resident memory (the
 * process and its worker threads share one RSS). The threads come from DELPHI_ENCODER_THREADS as in a
 * pipeline run, and the main thread encodes fewer comments than MIN_COMMENTS_FOR_WORKERS unless
 * --min-comments says otherwise.
 *
 *   DELPHI_ENCODER_THREADS=1 npx tsx test/bench/encoder.ts
 *   npx tsx test/bench/encoder.ts --comments 200 --min-comments 0    the first 200 comments, on workers
 */
import { parseArgs } from 'node:util';
import { createSentenceEncoder, MIN_COMMENTS_FOR_WORKERS, sentenceEncoderThreads } from '../../shared/providers/embedding/sentenceEncoder';
import { MARCH_ON, readComments } from './datasets';

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; wallS: number; cpuS: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { result, wallS: (performance.now() - started) / 1000, cpuS: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { comments: { type: 'string' }, 'min-comments': { type: 'string' } } });
  const all = readComments(MARCH_ON).map((c) => c.body);
  const texts = values.comments ? all.slice(0, Number(values.comments)) : all;
  const threads = sentenceEncoderThreads();
  const minCommentsForWorkers = values['min-comments'] ? Number(values['min-comments']) : MIN_COMMENTS_FOR_WORKERS;
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  const rssBefore = process.memoryUsage().rss;
  const encoder = createSentenceEncoder({ threads, minCommentsForWorkers });
  const cold = await timed(() => encoder.encode(texts));
  const workers = encoder.workers();
  const rssCold = process.memoryUsage().rss;
  const warm = await timed(() => encoder.encode(texts));
  if (warm.result.length !== texts.length) throw new Error('the encoder answered the wrong number of vectors');
  const perComment = (s: number) => `${((s * 1000) / texts.length).toFixed(2)} ms`;
  console.log(
    `${texts.length} comments, ${threads} thread(s), ${workers} worker(s): ` +
      `cold ${cold.wallS.toFixed(2)} s wall / ${cold.cpuS.toFixed(2)} s CPU, warm ${warm.wallS.toFixed(2)} s / ${warm.cpuS.toFixed(2)} s ` +
      `(${perComment(warm.wallS)} per comment); RSS ${mb(rssBefore)} → ${mb(rssCold)} → ${mb(process.memoryUsage().rss)}`,
  );
  await encoder.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
