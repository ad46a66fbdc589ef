/**
 * `delphi` — run the pipeline locally and read its results. Each command lives in commands/<name>.ts
 * and exports `usage` and `command(args)`; add new ones to COMMANDS.
 */
import './polyfills';

type Command = { usage: string; command(args: string[]): Promise<void> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run'),
  jobs: () => import('./commands/jobs'),
  show: () => import('./commands/show'),
  db: () => import('./commands/db'),
  report: () => import('./commands/report'),
  evaluate: () => import('./commands/evaluate'),
  serve: () => import('./commands/serve'),
};

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.values(COMMANDS).map(async (load) => `  delphi ${(await load()).usage}`));
  return [
    'Usage:',
    ...lines,
    '',
    'Data lives in an in-process dynalite under .delphi/ (DELPHI_DATA_DIR), or at DYNAMODB_ENDPOINT when set.',
  ].join('\n');
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.env.LOG_LEVEL ??= 'WARN';
  // Node 20 is supported here until the SDK's 2027 cut-off; the deploy runtime is nodejs22.x.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [name, ...rest] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    console.log(await usage());
    if (name && name !== 'help' && name !== '--help') process.exitCode = 2;
    return;
  }
  await (await load()).command(rest);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`delphi: ${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`);
    process.exitCode = 1;
  });
}
