/**
 * Argument parsing for the `delphi` commands: every flag and positional argument is checked, and a
 * mistake is a UsageError — one line on stderr and exit code 2 (shared/local/cli.ts), never a stack trace.
 */
import { parseArgs } from 'node:util';

/** Exit codes of the CLI (documented in its usage text). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Set by the CLI: whether the JSON logs go to the console (--verbose or LOG_LEVEL), else `run` keeps them in a file. */
export const consoleLogs = { enabled: false };

/** A mistake in the command line (or an argument naming something that does not exist): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** The names of the positional arguments, in order. */
  positionals?: string[];
  /** How many of them are required (default: none). */
  required?: number;
  options?: O;
}

export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

/** Parses `args` against `spec`; throws a UsageError naming the first unknown flag, missing value or extra argument. */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(args: string[], spec: CommandSpec<O>): ParsedArgs<O> {
  const options = (spec.options ?? {}) as Record<string, OptionSpec>;
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens ?? []) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const option = options[token.name];
    if (!option) throw new UsageError(`unknown flag ${token.rawName}`);
    if (option.type === 'string') {
      // `--layer --verbose`: the next flag is not a value (write `--flag=--x` for a value that starts with --).
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
        throw new UsageError(`${token.rawName} needs a value`);
      }
      values[token.name] = token.value;
    } else {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[token.name] = true;
    }
  }
  const names = spec.positionals ?? [];
  const required = spec.required ?? 0;
  if (positionals.length < required) throw new UsageError(`missing <${names[positionals.length]}>`);
  if (positionals.length > names.length) {
    const extra = positionals.slice(names.length);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `'${a}'`).join(' ')}`);
  }
  return { values: values as ParsedArgs<O>['values'], positionals };
}

/** A TCP port from a flag: an integer from 0 (any free port) to 65535. */
export function parsePort(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535, got '${raw}'`);
  return Number(raw);
}

/** A <job_id> argument, checked with the rule the API uses (shared/jobId.ts). */
export function jobIdArgument(raw: string, flag = 'job_id'): string {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(raw)) {
    throw new UsageError(`${flag} '${raw}' is malformed: use 1–128 letters, digits, '_', '-', '.' or ':'`);
  }
  return raw;
}
