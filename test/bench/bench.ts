/**
 * `npm run bench` — the whole local pipeline (offline providers, in-memory dynalite) on real and
 * synthetic conversations: per data set and per step, wall time, CPU time, peak RSS, rows written and
 * write rate (median of several runs, each in a fresh process), beside the Python peer when installed.
 *
 *   npm run bench                          biodiversity, march-on, mixed, synthetic-20000; 3 runs each
 *   npm run bench -- --sets march-on --runs 5
 *   npm run bench -- --curve               the scaling curve: synthetic 1k, 2k, 5k, 10k, 20k
 *   npm run bench -- --no-peer
 * Results: test-output/bench/results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
  total_wall_ms: number;
  peak_rss_mb: number;
  steps: Record<string, StepFigures>;
  quality: unknown;
  cluster_layers: unknown;
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

async function worker(source: string): Promise<void> {
  process.env.LOG_LEVEL = 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  await import('../../shared/local/polyfills');
  const { startLocalDatabase } = await import('../../shared/local/db');
  const { setDependencies } = await import('../../shared/dependencies');
  const { LocalPipeline } = await import('../../shared/local/runner');
  const db = await startLocalDatabase();
  setDependencies({ repository: db.repository });
  const pipeline = new LocalPipeline();

  let stepPeak = 0;
  const sampler = setInterval(() => (stepPeak = Math.max(stepPeak, process.memoryUsage().rss)), 10);
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
          stepPeak = process.memoryUsage().rss;
        }
        if (event.type === 'StateExited') {
          const cpu = process.cpuUsage(cpuAt);
          const output = event.state?.output as { steps?: Record<string, { rows_written?: number }> } | undefined;
          steps[name] = {
            wall_ms: performance.now() - enteredAt,
            cpu_ms: (cpu.user + cpu.system) / 1000,
            peak_rss_mb: Math.max(stepPeak, process.memoryUsage().rss) / 2 ** 20,
            rows_written: output?.steps?.[name]?.rows_written ?? 0,
          };
        }
      },
    },
  );
  clearInterval(sampler);
  if (outcome.status !== 'SUCCEEDED') throw new Error(`pipeline ${outcome.status}: ${outcome.error} ${outcome.cause}`);
  const job = await db.repository.getJob(String(outcome.output?.job_id));
  const result: RunResult = {
    comments: Number(job?.num_comments),
    total_wall_ms: Date.now() - started,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    steps,
    quality: job?.evaluation,
    cluster_layers: job?.cluster_layers,
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

function runWorker(source: string): RunResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', source], {
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
    runs: runs.length,
    total_wall_ms: median(runs.map((run) => run.total_wall_ms)),
    peak_rss_mb: median(runs.map((run) => run.peak_rss_mb)),
    steps,
    quality: runs[0].quality,
    cluster_layers: runs[0].cluster_layers,
  };
}

const PEER_STEP: Record<string, string> = { Embed: 'embed', ProjectUmap: 'umap', Cluster: 'cluster' };

function printTable(set: string, result: ReturnType<typeof medianRun>, peer?: PeerResult) {
  const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);
  console.log(`\n${set}: ${result.comments} comments, median of ${result.runs} run(s): ${(result.total_wall_ms / 1000).toFixed(2)} s, peak RSS ${result.peak_rss_mb.toFixed(0)} MB`);
  console.log(`  ${'step'.padEnd(16)}${'wall ms'.padStart(8)}${'cpu ms'.padStart(8)}${'RSS MB'.padStart(8)}${'rows'.padStart(8)}${'rows/s'.padStart(8)}${peer ? `${'peer ms'.padStart(9)}${'ours/peer'.padStart(10)}` : ''}`);
  for (const step of STEPS) {
    const s = result.steps[step];
    const rate = s.rows_written ? s.rows_written / (s.wall_ms / 1000) : 0;
    const peerMs = peer && PEER_STEP[step] ? peer.times_s[PEER_STEP[step]] * 1000 : undefined;
    const peerCols = peer ? (peerMs === undefined ? '' : `${fmt(peerMs).padStart(9)}${(s.wall_ms / peerMs).toFixed(2).padStart(10)}`) : '';
    console.log(`  ${step.padEnd(16)}${fmt(s.wall_ms)}${fmt(s.cpu_ms)}${fmt(s.peak_rss_mb)}${fmt(s.rows_written)}${fmt(rate)}${peerCols}`);
  }
  if (peer) {
    const total = peer.times_s.total * 1000;
    console.log(`  peer (scikit-learn + umap-learn): ${(total / 1000).toFixed(2)} s for embed+umap+cluster, peak RSS ${peer.peak_rss_mb.toFixed(0)} MB; ours/peer for the same three steps ${((result.steps.Embed.wall_ms + result.steps.ProjectUmap.wall_ms + result.steps.Cluster.wall_ms) / total).toFixed(2)}`);
  }
  const quality = result.quality as Array<Record<string, number>> | undefined;
  for (const layer of quality ?? []) {
    console.log(`  quality L${layer.layer_id}: ${layer.clusters} clusters, noise ${(layer.noise_share * 100).toFixed(1)}%, silhouette ${layer.silhouette.toFixed(3)}, diversity ${layer.topic_diversity.toFixed(3)}, NPMI ${layer.npmi_coherence.toFixed(3)}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      worker: { type: 'string' },
      sets: { type: 'string' },
      runs: { type: 'string', default: '3' },
      curve: { type: 'boolean', default: false },
      'no-peer': { type: 'boolean', default: false },
    },
  });
  if (values.worker) return worker(values.worker);

  const sets = values.sets?.split(',') ?? (values.curve ? ['synthetic-1000', 'synthetic-2000', 'synthetic-5000', 'synthetic-10000', 'synthetic-20000'] : ['biodiversity', 'march-on', 'mixed', 'synthetic-20000']);
  const runs = Number(values.runs);
  const python = values['no-peer'] ? undefined : findPeerPython();
  if (!python && !values['no-peer']) {
    console.log('Python peer not installed: `apt-get install python3-sklearn umap-learn` to compare (the bench installs nothing).');
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const results: Record<string, unknown> = {};
  for (const set of sets) {
    const comments = commentsFor(set);
    const source = writeExport(mkdtempSync(path.join(tmpdir(), `delphi-bench-${set}-`)), comments);
    const measured = Array.from({ length: runs }, () => runWorker(source));
    const result = medianRun(measured);
    const peer = python ? runPeer(python, comments) : undefined;
    printTable(set, result, peer);
    results[set] = { ...result, peer };
    writeFileSync(path.join(OUT_DIR, values.curve ? 'curve.json' : 'results.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
  }
  console.log(`\nWritten: ${path.relative(process.cwd(), path.join(OUT_DIR, values.curve ? 'curve.json' : 'results.json'))}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
