/**
 * The provider settings are declared once (shared/providers/settings.ts PROVIDER_SETTINGS); the option
 * schema, the environment's defaults, `delphi run`'s flags and serverless.yml follow that declaration.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseEnvironment, providerDefaults } from '../../shared/config';
import { PROVIDER_FLAGS, providerOptions } from '../../shared/local/providerFlags';
import { PipelineOptionsSchema } from '../../shared/pipeline';
import { PROVIDER_SETTING_KEYS, PROVIDER_SETTINGS, settingVariable } from '../../shared/providers/settings';

const ROOT = path.resolve(__dirname, '../..');
const SETTING = /^(embedding|namer)_/;

describe('the provider settings declaration', () => {
  it('gives the option schema exactly its settings', () => {
    expect(Object.keys(PipelineOptionsSchema.shape).filter((key) => SETTING.test(key)).sort()).toEqual([...PROVIDER_SETTING_KEYS].sort());
  });

  it("bounds each numeric setting by its declared range, in the options and in the environment", () => {
    for (const key of PROVIDER_SETTING_KEYS) {
      const setting: (typeof PROVIDER_SETTINGS)[typeof key] = PROVIDER_SETTINGS[key];
      if (setting.kind !== 'integer') continue;
      const field = PipelineOptionsSchema.shape[key];
      expect([field.safeParse(setting.min).success, field.safeParse(setting.max).success]).toEqual([true, true]);
      expect([field.safeParse(setting.min - 1).success, field.safeParse(setting.max + 1).success]).toEqual([false, false]);
      const variable = settingVariable(key);
      const group = key.startsWith('embedding_') ? 'embedding' : 'naming';
      expect((providerDefaults(parseEnvironment({ DELPHI_EMBEDDER: 'openai', DELPHI_TOPIC_NAMER: 'openai', [variable]: String(setting.max) }))[group] as Record<string, unknown>)[key]).toBe(setting.max);
      expect(() => parseEnvironment({ [variable]: String(setting.max + 1) })).toThrow(`${variable} must be an integer from ${setting.min} to ${setting.max}`);
    }
  });

  it('gives `delphi run` a flag for each setting marked so, and no other', () => {
    const flagged = PROVIDER_SETTING_KEYS.filter((key) => PROVIDER_SETTINGS[key].flag);
    expect(Object.keys(PROVIDER_FLAGS).filter((flag) => SETTING.test(flag.replace(/-/g, '_')))).toEqual(flagged.map((key) => key.replace(/_/g, '-')));
    expect(providerOptions({ 'embedding-dimensions': '384', 'namer-model': 'm' })).toEqual({ embedding_dimensions: 384, namer_model: 'm' });
  });

  it("has serverless.yml hand every setting's deployment default to the functions, and no undeclared one", () => {
    const environment = (parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as { provider: { environment: Record<string, string> } }).provider.environment;
    const settingVariables = Object.keys(environment).filter((name) => /^DELPHI_(EMBEDDING|NAMER)_/.test(name));
    expect(settingVariables.sort()).toEqual(PROVIDER_SETTING_KEYS.map(settingVariable).sort());
    for (const name of settingVariables) expect(environment[name]).toBe(`\${env:${name}, ''}`);
    // The providers too: unset, the code's defaults (DEFAULT_EMBEDDER, DEFAULT_TOPIC_NAMER) hold, written nowhere else.
    for (const name of ['DELPHI_EMBEDDER', 'DELPHI_TOPIC_NAMER']) expect(environment[name], name).toBe(`\${env:${name}, ''}`);
  });
});
