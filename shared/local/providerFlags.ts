/**
 * `delphi run` flags that choose the providers; each maps to one execution option (README "Providers").
 * The settings' flags come from their declaration (shared/providers/settings.ts PROVIDER_SETTINGS):
 * a setting with `flag` is `--` and its key with '-'.
 */
import { EMBEDDERS, PROVIDER_SETTING_KEYS, PROVIDER_SETTINGS, TOPIC_NAMERS, type ProviderSettingKey } from '../providers/settings';

const settingFlags = (prefix: 'embedding_' | 'namer_') =>
  PROVIDER_SETTING_KEYS.filter((key) => key.startsWith(prefix) && PROVIDER_SETTINGS[key].flag).map((key) => [key.replace(/_/g, '-'), key] as const);

const FLAG_TO_OPTION: Record<string, string> = Object.fromEntries([
  ['embedder', 'embedder'],
  ...settingFlags('embedding_'),
  ['namer', 'topic_namer'],
  ...settingFlags('namer_'),
  ['label-language', 'label_language'],
]);

export const PROVIDER_FLAGS: Record<string, { type: 'string' }> = Object.fromEntries(Object.keys(FLAG_TO_OPTION).map((flag) => [flag, { type: 'string' }]));

const PLACEHOLDER = { url: 'URL', model: 'M', integer: 'N' } as const;
const usageOf = (flags: ReadonlyArray<readonly [string, ProviderSettingKey]>) => flags.map(([flag, key]) => `[--${flag} ${PLACEHOLDER[PROVIDER_SETTINGS[key].kind]}]`).join(' ');

export const PROVIDER_FLAGS_USAGE = `[--embedder ${EMBEDDERS.join('|')}] ${usageOf(settingFlags('embedding_'))}
      [--namer ${TOPIC_NAMERS.join('|')}] ${usageOf(settingFlags('namer_'))} [--label-language TAG]`;

/** The options the given flags set (they win over the same keys in --options). */
export function providerOptions(values: Partial<Record<string, string | boolean | undefined>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(FLAG_TO_OPTION)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    if (PROVIDER_SETTINGS[option as ProviderSettingKey]?.kind === 'integer') {
      if (!/^\d+$/.test(value)) throw new Error(`--${flag} must be a whole number, got "${value}"`);
      options[option] = Number(value);
    } else {
      options[option] = value;
    }
  }
  return options;
}
