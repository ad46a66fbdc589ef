/**
 * The clients a handler needs, created once per container on first use. Tests and the local runner
 * replace them with setDependencies (for example a repository bound to an in-process dynalite).
 */
import { createDocumentClient } from './aws/clients';
import { environment } from './config';
import type { ProviderServices } from './providers';
import { Repository } from './repository';
import type { SourceClients } from './sources';

export interface Dependencies {
  repository: Repository;
  /** Embedding/LLM provider services; unset = the container's defaults (shared/providers). Tests pass fast retries. */
  providers?: ProviderServices;
  /** Clients of the source readers (S3); unset = the container's own. Tests point them at a local server. */
  sources?: SourceClients;
}

let current: Dependencies | undefined;

export function dependencies(): Dependencies {
  if (!current) {
    const env = environment();
    current = {
      repository: new Repository({ client: createDocumentClient(env.DYNAMODB_ENDPOINT), tableSuffix: env.DELPHI_TABLE_SUFFIX }),
    };
  }
  return current;
}

export function setDependencies(next: Dependencies | undefined): void {
  current = next;
}
