/**
 * Where the offline models' files are (models/ — written by npm ci, carried by the Embed functions'
 * bundle): the first of `starts` from which walking up the folders finds `relative`. The starts are
 * this code's own folder (the repository, or a bundle inside it), the Lambda task root and the
 * working folder, in the caller's order.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function findModelFile(relative: string, starts: ReadonlyArray<string | undefined>): string | undefined {
  for (const start of starts) {
    if (!start) continue;
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, relative);
      if (existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}
