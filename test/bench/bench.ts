/**
 * `npm run bench` — the whole local pipeline (offline providers, in-memory dynalite) on real and
 * synthetic conversations: per data set and per step, wall time, CPU time, peak RSS, rows written and
 * write rate (median of several runs, each in a fresh process), beside the Python peer when installed.
 *
 *   npm run bench                          biodiversity, march-on, mixed, synthetic-20000; 3 runs each
 *   npm run bench -- --sets march-on --runs 5
 *   npm run bench -- --curve               the scaling curve: synthetic 1k, 2k, 5k, 10k, 20k (1 run each)
 *   npm run bench -- --no-peer
 *   npm run bench -- --db in-process      dynalite inside the pipeline's process, as `npm start` runs it
 *   npm run bench -- --write-concurrency 16
 *   DELPHI_EMBEDDER=hybrid npm run bench   another embedder than the default (the header names the model)
 *   npm run bench -- --after 10            the measured job follows a COMPLETED job of the conversation that
 *                                          lacked its newest 10 % of comments (0: had them all), as when a
 *                                          conversation is analysed again as it grows
 * Results: test-output/bench/results.json (curve.json for --curve).
 *
 * By default the local DynamoDB (dynalite) runs in a process of its own, so the steps' CPU time is
 * the pipeline's own (algorithms + SDK), as a Lambda's would be; `--db in-process` puts dynalite's
 * work into the steps' CPU time too (it costs ~0.2 ms of CPU per row written).
 *
 * Wall times on a shared 2-core machine are noisy: every worker first times a fixed calibration loop
 * (`calibration_ms`, ~250 ms when the machine is quiet) and records the load average, so a slow run
 * can be told from a slow step; CPU time is the steadier figure. Each run also times `projectUmap`
 * alone on the job's vectors (no database), the figure to compare with uwot's 1.7 s.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BIODIVERSITY, MARCH_ON, mixedComments, readComments, syntheticComments, writeExport, type BenchComment } from './datasets';

const STEPS = ['MarkRunning', 'Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'MarkCompleted'];
const OUT_DIR = path.resolve(__dirname, '../../test-output/bench');

interface StepFigures {
  wall_ms: number;
  cpu_ms: number;
  peak_rss_mb: number;
  rows_written: number;
}
interface RunResult {
  comments: number;
  /** The job's embedding model (the default embedder's unless DELPHI_EMBEDDER names another). */
  embedding_model: string;
  total_wall_ms: number;
  total_cpu_ms: number;
  peak_rss_mb: number;
  calibration_ms: number;
  load_average: number[];
  /** The three main algorithms alone on the job's texts and vectors, outside the pipeline (no database). */
  algorithms: { embed: Timing; umap: Timing & { knn: string }; cluster: Timing };
  steps: Record<string, StepFigures>;
  quality: unknown;
  cluster_layers: unknown;
  /** With --after: what Embed took from the earlier job. */
  embedding_reuse?: unknown;
}

interface Timing {
  wall_ms: number;
  cpu_ms: number;
}

function timed<T>(run: () => T): { result: T; timing: Timing } {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = run();
  const cpu = process.cpuUsage(cpuBefore);
  return { result, timing: { wall_ms: performance.now() - started, cpu_ms: (cpu.user + cpu.system) / 1000 } };
}

/** R's uwot on march-on's vectors on this machine (measured by the team; R is not installed for the bench). */
const UWOT_MARCH_ON_S = 1.7;

/** A fixed arithmetic loop: how fast this machine is right now (~250 ms when quiet). */
function calibrate(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 100_000_000; i++) x = x * 0.999999 + Math.sqrt(i & 1023);
  if (!Number.isFinite(x)) throw new Error('calibration overflowed');
  return performance.now() - started;
}

function commentsFor(set: string): BenchComment[] {
  if (set === 'biodiversity') return readComments(BIODIVERSITY);
  if (set === 'march-on') return readComments(MARCH_ON);
  if (set === 'mixed') return mixedComments();
  const synthetic = /^synthetic-(\d+)$/.exec(set);
  if (synthetic) return syntheticComments(Number(synthetic[1]));
  throw new Error(`unknown data set ${set}: use biodiversity, march-on, mixed or synthetic-<n>`);
}

// ---- worker: one run of one data set, in its own process ------------------------------------

/** dynalite in a child process (see dbServer.ts): its endpoint and a way to stop it. */
async function startDatabaseProcess(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'dbServer.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`database process exited with ${code}`)));
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

async function worker(source: string, database: string, writeConcurrency?: number, earlierSource?: string): Promise<void> {
  process.env.LOG_LEVEL = 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  await import('../../shared/local/polyfills');
  const { startLocalDatabase } = await import('../../shared/local/dynaliteServer');
  const { createDocumentClient } = await import('../../shared/aws/clients');
  const { Repository } = await import('../../shared/repository');
  const { setDependencies } = await import('../../shared/dependencies');
  const { LocalPipeline } = await import('../../shared/local/runner');
  const { readComments } = await import('../../shared/steps/jobData');
  const { projectUmap } = await import('../../shared/algorithms/umap');
  const { embedLsa } = await import('../../shared/algorithms/lsa');
  const { clusterLayers } = await import('../../shared/algorithms/clustering');
  const repositoryOptions = writeConcurrency ? { writeConcurrency } : {};
  const db =
    database === 'in-process'
      ? await startLocalDatabase({ repositoryOptions })
      : await (async () => {
          const server = await startDatabaseProcess();
          const client = createDocumentClient(server.endpoint);
          return {
            repository: new Repository({ client, ...repositoryOptions }),
            close: async () => {
              client.destroy();
              await server.stop();
            },
          };
        })();
  setDependencies({ repository: db.repository });
  const pipeline = new LocalPipeline();
  if (earlierSource) {
    const earlier = await pipeline.run({ conversation_id: 'bench', source: earlierSource });
    if (earlier.status !== 'SUCCEEDED') throw new Error(`earlier pipeline ${earlier.status}: ${earlier.error} ${earlier.cause}`);
  }
  const calibration_ms = calibrate();
  const load_average = os.loadavg().map((x) => Math.round(x * 100) / 100);

  let stepPeak = 0;
  // Every 50 ms: at every 10 ms the sampling itself was a visible share of a profile of the steps.
  const sampler = setInterval(() => (stepPeak = Math.max(stepPeak, process.memoryUsage.rss())), 50);
  const steps: Record<string, StepFigures> = {};
  let enteredAt = 0;
  let cpuAt = process.cpuUsage();
  const started = Date.now();
  const outcome = await pipeline.run(
    { conversation_id: 'bench', source },
    {
      onEvent: (event) => {
        const name = event.state?.name ?? '';
        if (!STEPS.includes(name)) return;
        if (event.type === 'StateEntered') {
          enteredAt = performance.now();
          cpuAt = process.cpuUsage();
          stepPeak = process.memoryUsage.rss();
        }
        if (event.type === 'StateExited') {
          const cpu = process.cpuUsage(cpuAt);
          const output = event.state?.output as { steps?: Record<string, { rows_written?: number }> } | undefined;
          steps[name] = {
            wall_ms: performance.now() - enteredAt,
            cpu_ms: (cpu.user + cpu.system) / 1000,
            peak_rss_mb: Math.max(stepPeak, process.memoryUsage.rss()) / 2 ** 20,
            rows_written: output?.steps?.[name]?.rows_written ?? 0,
          };
        }
      },
    },
  );
  clearInterval(sampler);
  if (outcome.status !== 'SUCCEEDED') throw new Error(`pipeline ${outcome.status}: ${outcome.error} ${outcome.cause}`);
  const total_wall_ms = Date.now() - started;
  const jobId = String(outcome.output?.job_id);
  const job = await db.repository.getJob(jobId);
  const peak_rss_mb = process.resourceUsage().maxRSS / 1024;
  const { vectors, texts } = await readComments(db.repository, jobId);
  const embed = timed(() => embedLsa(texts));
  const umap = timed(() => projectUmap(vectors));
  const cluster = timed(() => clusterLayers({ vectors }));
  const result: RunResult = {
    comments: Number(job?.num_comments),
    embedding_model: String(job?.embedding_model),
    total_wall_ms,
    total_cpu_ms: Object.values(steps).reduce((sum, step) => sum + step.cpu_ms, 0),
    peak_rss_mb,
    calibration_ms,
    load_average,
    algorithms: { embed: embed.timing, umap: { ...umap.timing, knn: String(umap.result.parameters.knn) }, cluster: cluster.timing },
    steps,
    quality: job?.evaluation,
    cluster_layers: job?.cluster_layers,
    ...(earlierSource ? { embedding_reuse: job?.embedding_reuse } : {}),
  };
  await db.close();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

// ---- orchestrator ------------------------------------------------------------------------------

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function runWorker(source: string, database: string, writeConcurrency?: string, earlierSource?: string): RunResult {
  const extra = [...(writeConcurrency ? ['--write-concurrency', writeConcurrency] : []), ...(earlierSource ? ['--earlier', earlierSource] : [])];
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', source, '--db', database, ...extra], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
  });
  if (child.status !== 0) throw new Error(`bench worker failed:\n${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function findPeerPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import sklearn, umap'], { stdio: 'ignore' });
      return python;
    } catch {
      // not this one
    }
  }
  return undefined;
}

interface PeerResult {
  times_s: Record<string, number>;
  peak_rss_mb: number;
}

function runPeer(python: string, comments: BenchComment[]): PeerResult {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'delphi-peer-')), 'comments.jsonl');
  writeFileSync(file, comments.map((c) => JSON.stringify(c.body)).join('\n') + '\n');
  const out = execFileSync(python, [path.join(__dirname, 'peer.py'), file], { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function medianRun(runs: RunResult[]) {
  const steps: Record<string, StepFigures> = {};
  for (const step of STEPS) {
    const of = (key: keyof StepFigures) => median(runs.map((run) => run.steps[step]?.[key] ?? 0));
    steps[step] = { wall_ms: of('wall_ms'), cpu_ms: of('cpu_ms'), peak_rss_mb: of('peak_rss_mb'), rows_written: of('rows_written') };
  }
  return {
    comments: runs[0].comments,
    embedding_model: runs[0].embedding_model,
    runs: runs.length,
    total_wall_ms: median(runs.map((run) => run.total_wall_ms)),
    total_cpu_ms: median(runs.map((run) => run.total_cpu_ms)),
    peak_rss_mb: median(runs.map((run) => run.peak_rss_mb)),
    calibration_ms: runs.map((run) => Math.round(run.calibration_ms)),
    load_average: runs.map((run) => run.load_average[0]),
    algorithms: Object.fromEntries(
      (['embed', 'umap', 'cluster'] as const).map((name) => [
        name,
        {
          wall_ms: median(runs.map((run) => run.algorithms[name].wall_ms)),
          cpu_ms: median(runs.map((run) => run.algorithms[name].cpu_ms)),
          ...(name === 'umap' ? { knn: runs[0].algorithms.umap.knn } : {}),
        },
      ]),
    ) as RunResult['algorithms'],
    steps,
    quality: runs[0].quality,
    cluster_layers: runs[0].cluster_layers,
    embedding_reuse: runs[0].embedding_reuse,
  };
}

const PEER_STEP: Record<string, string> = { Embed: 'embed', ProjectUmap: 'umap', Cluster: 'cluster' };

function printTable(set: string, result: ReturnType<typeof medianRun>, peer?: PeerResult, earlierComments?: number) {
  const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);
  console.log(
    `\n${set}: ${result.comments} comments (${result.embedding_model}), median of ${result.runs} run(s): ${(result.total_wall_ms / 1000).toFixed(2)} s wall, ` +
      `${(result.total_cpu_ms / 1000).toFixed(2)} s CPU, peak RSS ${result.peak_rss_mb.toFixed(0)} MB ` +
      `(calibration ${result.calibration_ms.join('/')} ms, quiet ≈ 250; load ${result.load_average.join('/')})`,
  );
  if (earlierComments !== undefined) {
    console.log(`  after a COMPLETED job of the conversation on ${earlierComments} of its comments; Embed's reuse: ${JSON.stringify(result.embedding_reuse)}`);
  }
  console.log(`  ${'step'.padEnd(16)}${'wall ms'.padStart(8)}${'cpu ms'.padStart(8)}${'RSS MB'.padStart(8)}${'rows'.padStart(8)}${'rows/s'.padStart(8)}${peer ? `${'peer ms'.padStart(9)}${'step/peer'.padStart(10)}` : ''}`);
  for (const step of STEPS) {
    const s = result.steps[step];
    const rate = s.rows_written ? s.rows_written / (s.wall_ms / 1000) : 0;
    const peerMs = peer && PEER_STEP[step] ? peer.times_s[PEER_STEP[step]] * 1000 : undefined;
    const peerCols = peer ? (peerMs === undefined ? '' : `${fmt(peerMs).padStart(9)}${(s.wall_ms / peerMs).toFixed(2).padStart(10)}`) : '';
    console.log(`  ${step.padEnd(16)}${fmt(s.wall_ms)}${fmt(s.cpu_ms)}${fmt(s.peak_rss_mb)}${fmt(s.rows_written)}${fmt(rate)}${peerCols}`);
  }
  const { embed, umap, cluster } = result.algorithms;
  const vsPeer = (ours: Timing, phase: string) => (peer ? ` (peer ${(peer.times_s[phase] * 1000).toFixed(0)} ms, ours/peer ${(ours.wall_ms / (peer.times_s[phase] * 1000)).toFixed(2)})` : '');
  console.log(`  algorithms alone, no database (wall / CPU ms):`);
  console.log(`    embedding (LSA)        ${embed.wall_ms.toFixed(0)} / ${embed.cpu_ms.toFixed(0)}${vsPeer(embed, 'embed')}`);
  console.log(
    `    UMAP 2-D (${umap.knn} kNN) ${umap.wall_ms.toFixed(0)} / ${umap.cpu_ms.toFixed(0)}${vsPeer(umap, 'umap')}` +
      (set === 'march-on' ? `; uwot ${UWOT_MARCH_ON_S} s → ours/uwot ${(umap.wall_ms / 1000 / UWOT_MARCH_ON_S).toFixed(2)}, CPU ${(umap.cpu_ms / 1000 / UWOT_MARCH_ON_S).toFixed(2)} (target ≤ 1.5)` : ''),
  );
  console.log(`    clustering (own kNN, spectral space, connected Ward) ${cluster.wall_ms.toFixed(0)} / ${cluster.cpu_ms.toFixed(0)}${vsPeer(cluster, 'cluster')}, the peer's is Ward on the 2-D map only`);
  if (peer) {
    const total = peer.times_s.total * 1000;
    const ours = result.steps.Embed.wall_ms + result.steps.ProjectUmap.wall_ms + result.steps.Cluster.wall_ms;
    console.log(`  peer (scikit-learn + umap-learn): ${(total / 1000).toFixed(2)} s for embed+umap+cluster, peak RSS ${peer.peak_rss_mb.toFixed(0)} MB; ours/peer for the same three steps ${(ours / total).toFixed(2)}, whole pipeline ours/peer ${(result.total_wall_ms / total).toFixed(2)}`);
  }
  const quality = result.quality as Array<Record<string, number>> | undefined;
  for (const layer of quality ?? []) {
    console.log(`  quality L${layer.layer_id}: ${layer.clusters} clusters, noise ${(layer.noise_share * 100).toFixed(1)}%, silhouette ${layer.silhouette.toFixed(3)}, diversity ${layer.topic_diversity.toFixed(3)}, NPMI ${layer.npmi_coherence.toFixed(3)}`);
  }
}

/**
 * The scaling curve: CPU ms per step per size, and the local growth exponent between neighbouring
 * sizes, log(t₂/t₁) / log(n₂/n₁) — 1 is linear, n log n is ~1.1 over these sizes, 2 is quadratic.
 */
function printCurve(results: Record<string, ReturnType<typeof medianRun>>) {
  const sets = Object.values(results).sort((a, b) => a.comments - b.comments);
  if (sets.length < 2) return;
  const columns = [...STEPS.filter((step) => step !== 'MarkRunning'), 'total'];
  const cpu = (r: (typeof sets)[number], step: string) => (step === 'total' ? r.total_cpu_ms : r.steps[step].cpu_ms);
  console.log(`\nCPU ms per step (growth exponent to the previous size in brackets; n log n ≈ 1.1):`);
  console.log(`  ${'comments'.padStart(8)}${columns.map((c) => c.slice(0, 13).padStart(16)).join('')}${'RSS MB'.padStart(8)}`);
  sets.forEach((r, i) => {
    const cells = columns.map((step) => {
      const t = cpu(r, step);
      if (i === 0) return `${t.toFixed(0)}`.padStart(16);
      const previous = sets[i - 1];
      const exponent = Math.log(t / cpu(previous, step)) / Math.log(r.comments / previous.comments);
      return `${t.toFixed(0)} (${exponent.toFixed(2)})`.padStart(16);
    });
    console.log(`  ${String(r.comments).padStart(8)}${cells.join('')}${r.peak_rss_mb.toFixed(0).padStart(8)}`);
  });
  const first = sets[0];
  const last = sets[sets.length - 1];
  const overall = columns.map((step) => `${step} ${(Math.log(cpu(last, step) / cpu(first, step)) / Math.log(last.comments / first.comments)).toFixed(2)}`);
  const nLogN = Math.log((last.comments * Math.log(last.comments)) / (first.comments * Math.log(first.comments))) / Math.log(last.comments / first.comments);
  console.log(`  exponent ${first.comments} → ${last.comments}: ${overall.join(', ')} (n log n: ${nLogN.toFixed(2)})`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      worker: { type: 'string' },
      sets: { type: 'string' },
      runs: { type: 'string' },
      curve: { type: 'boolean', default: false },
      'no-peer': { type: 'boolean', default: false },
      db: { type: 'string', default: 'separate' },
      'write-concurrency': { type: 'string' },
      after: { type: 'string' },
      earlier: { type: 'string' },
    },
  });
  if (values.db !== 'separate' && values.db !== 'in-process') throw new Error(`--db is separate or in-process, not ${values.db}`);
  if (values.worker) return worker(values.worker, values.db, values['write-concurrency'] ? Number(values['write-concurrency']) : undefined, values.earlier);
  const after = values.after === undefined ? undefined : Number(values.after);
  if (after !== undefined && !(after >= 0 && after < 100)) throw new Error(`--after is a percentage from 0 to under 100, not ${values.after}`);

  const sets = values.sets?.split(',') ?? (values.curve ? ['synthetic-1000', 'synthetic-2000', 'synthetic-5000', 'synthetic-10000', 'synthetic-20000'] : ['biodiversity', 'march-on', 'mixed', 'synthetic-20000']);
  const runs = Number(values.runs ?? (values.curve ? 1 : 3));
  const python = values['no-peer'] ? undefined : findPeerPython();
  if (!python && !values['no-peer']) {
    console.log('Python peer not installed: `apt-get install python3-sklearn umap-learn` to compare (the bench installs nothing).');
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const results: Record<string, unknown> = {};
  const medians: Record<string, ReturnType<typeof medianRun>> = {};
  for (const set of sets) {
    const comments = commentsFor(set);
    const source = writeExport(mkdtempSync(path.join(tmpdir(), `delphi-bench-${set}-`)), comments);
    const earlier = after === undefined ? undefined : comments.slice(0, Math.round(comments.length * (1 - after / 100)));
    const earlierSource = earlier && writeExport(mkdtempSync(path.join(tmpdir(), `delphi-bench-${set}-earlier-`)), earlier);
    const measured = Array.from({ length: runs }, () => runWorker(source, values.db as string, values['write-concurrency'], earlierSource));
    const result = medianRun(measured);
    const peer = python ? runPeer(python, comments) : undefined;
    printTable(set, result, peer, earlier?.length);
    medians[set] = result;
    results[set] = { ...result, database: values.db, write_concurrency: values['write-concurrency'] ?? 'default', peer, runs_raw: measured };
    writeFileSync(
      path.join(OUT_DIR, values.curve ? 'curve.json' : 'results.json'),
      JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, node: process.version, results }, null, 2),
    );
  }
  printCurve(medians);
  console.log(`\nWritten: ${path.relative(process.cwd(), path.join(OUT_DIR, values.curve ? 'curve.json' : 'results.json'))}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
