/**
 * `delphi` — run the pipeline locally and read its results. Each command lives in commands/<name>.ts
 * and exports `usage` and `command(args)`; add new ones to COMMANDS. Exit codes: 0 ok, 1 the job failed
 * (or the command could not do its work), 2 a usage error (nothing was started or stored).
 */
import './polyfills';
import { consoleLogs, EXIT_FAILED, EXIT_USAGE, UsageError } from './usage';
import { environment, setEnvironmentDefaults } from '../config';

type Command = { usage: string; command(args: string[]): Promise<void> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run'),
  resume: () => import('./commands/resume'),
  jobs: () => import('./commands/jobs'),
  show: () => import('./commands/show'),
  db: () => import('./commands/db'),
  report: () => import('./commands/report'),
  diff: () => import('./commands/diff'),
  evaluate: () => import('./commands/evaluate'),
  serve: () => import('./commands/serve'),
};

const HELP = new Set(['-h', '--help', 'help']);

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.values(COMMANDS).map(async (load) => `  delphi ${(await load()).usage}`));
  return [
    'Usage:',
    ...lines,
    '',
    '  delphi <command> --help   that command\'s usage; --verbose (or LOG_LEVEL=INFO) shows the JSON logs',
    '',
    'Data lives in .delphi/ (DELPHI_DATA_DIR). While `delphi db` or `delphi serve` holds it, the other',
    'commands use that server by themselves (.delphi/endpoint.json); DYNAMODB_ENDPOINT, when set, wins.',
    '',
    'Exit codes: 0 ok, 1 the job failed (or the command could not finish), 2 usage error (nothing started or stored).',
  ].join('\n');
}

/** `--help` / `-h` among a command's arguments (before a `--`). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

let verbose = false;
/** The level the user asked for, if any, read before the CLI sets its own default (the first main()). */
let userLogLevel: { level: string | undefined } | undefined;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const end = argv.indexOf('--');
  verbose = argv.slice(0, end === -1 ? argv.length : end).some((arg) => arg === '--verbose');
  const args = verbose ? argv.filter((arg, i) => arg !== '--verbose' || (end !== -1 && i > end)) : argv;
  // The JSON logs (shared/logger.ts) are for Lambda and CloudWatch: on the console only with --verbose or
  // LOG_LEVEL; `run` writes them to .delphi/logs/<job_id>.jsonl.
  userLogLevel ??= { level: environment().LOG_LEVEL ?? environment().POWERTOOLS_LOG_LEVEL };
  consoleLogs.enabled = verbose || userLogLevel.level !== undefined;
  setEnvironmentDefaults({
    LOG_LEVEL: verbose || argv[0] === 'run' ? 'INFO' : 'SILENT',
    // Node 20 is supported here until the SDK's 2027 cut-off; the deploy runtime is nodejs22.x.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const [name, ...rest] = args;
  if (name === undefined || HELP.has(name)) {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return console.log(`Usage: delphi ${(await COMMANDS[rest[0]]()).usage}`);
    console.log(await usage());
    return;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`delphi: unknown command '${name}'`);
    console.error(await usage());
    process.exitCode = EXIT_USAGE;
    return;
  }
  const command = await load();
  if (wantsHelp(rest)) {
    console.log(`Usage: delphi ${command.usage}`);
    return;
  }
  try {
    await command.command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`delphi ${name}: ${error.message} (see delphi ${name} --help)`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    // A job_id that names no job is a mistake in the arguments too.
    if ((error as Error).name === 'JobNotFoundError') {
      console.error(`delphi ${name}: ${(error as Error).message}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    throw error;
  }
}

export function reportError(error: Error): void {
  if (verbose) console.error(error);
  else console.error(`delphi: ${error.name === 'Error' || !error.name ? '' : `${error.name}: `}${error.message}`);
  process.exitCode = EXIT_FAILED;
}

// `delphi run | head`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

if (require.main === module) main().catch(reportError);
