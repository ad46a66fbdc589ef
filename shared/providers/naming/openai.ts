/**
 * OpenAI-compatible chat completions, `POST {base}/chat/completions`: OpenAI, Ollama (`llama3.1:8b`
 * as in the original), vLLM. Request `{model, messages: [system, user], temperature: 0, max_tokens}`;
 * answer `{choices: [{message: {role, content}, finish_reason}], model, usage}`.
 */
import { ProviderError } from '../../errors';
import { joinUrl, postJson, type RetryPolicy } from '../http';
import { noKeySentHint } from '../settings';
import { MAX_LABEL_TOKENS, nameWithLlm, type ClusterToName, type TopicNamer, type TopicPrompt } from './namer';

export interface OpenAiNamerSettings {
  /** The language names are asked in (options.label_language); default: the comments'. */
  language?: string;
  baseUrl: string;
  model: string;
  concurrency: number;
  apiKey: () => Promise<string | undefined>;
  retry: RetryPolicy;
}

export class OpenAiNamer implements TopicNamer {
  readonly provider = 'openai' as const;
  readonly model: string;

  constructor(private readonly settings: OpenAiNamerSettings) {
    this.model = settings.model;
  }

  async name(clusters: ClusterToName[]): Promise<Map<string, string>> {
    const { baseUrl, model, concurrency, retry } = this.settings;
    const apiKey = await this.settings.apiKey();
    const url = joinUrl(baseUrl, 'chat/completions');
    return nameWithLlm(clusters, { provider: 'openai', model, concurrency, retry, language: this.settings.language }, async (prompt: TopicPrompt, signal, what) => {
      const body = await postJson({
        provider: 'openai chat',
        url,
        body: {
          model,
          messages: [
            { role: 'system', content: prompt.system },
            { role: 'user', content: prompt.user },
          ],
          temperature: 0,
          max_tokens: MAX_LABEL_TOKENS,
        },
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
        signal,
        secrets: [apiKey],
        unauthorizedHint: apiKey ? undefined : noKeySentHint('openai'),
      });
      const content = (body as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new ProviderError(`${what}: the answer has no choices[0].message.content text`);
      return content;
    });
  }
}
