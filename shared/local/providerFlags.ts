/** `delphi run` flags that choose the providers; each maps to one execution option (README "Providers"). */

const FLAG_TO_OPTION = {
  embedder: 'embedder',
  'embedding-url': 'embedding_url',
  'embedding-model': 'embedding_model',
  'embedding-dimensions': 'embedding_dimensions',
  namer: 'topic_namer',
  'namer-url': 'namer_url',
  'namer-model': 'namer_model',
  'label-language': 'label_language',
} as const;

type Flag = keyof typeof FLAG_TO_OPTION;

export const PROVIDER_FLAGS = Object.fromEntries(Object.keys(FLAG_TO_OPTION).map((flag) => [flag, { type: 'string' }])) as Record<
  Flag,
  { type: 'string' }
>;

export const PROVIDER_FLAGS_USAGE = `[--embedder hybrid|lsa|openai|bedrock] [--embedding-url URL] [--embedding-model M] [--embedding-dimensions N]
      [--namer keywords|openai|anthropic|bedrock] [--namer-url URL] [--namer-model M] [--label-language TAG]`;

/** The options the given flags set (they win over the same keys in --options). */
export function providerOptions(values: Partial<Record<string, string | boolean | undefined>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(FLAG_TO_OPTION)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (flag === 'embedding-dimensions') {
      if (!/^\d+$/.test(value)) throw new Error(`--embedding-dimensions must be a whole number, got "${value}"`);
      options[option] = Number(value);
    } else {
      options[option] = value;
    }
  }
  return options;
}
