/** One structured JSON logger (Powertools); every line of a step carries job_id once it is known. */
import { Logger } from '@aws-lambda-powertools/logger';
import { environment, logLevel } from './config';

/**
 * The logger is made when this module loads and must not fail the import: with a bad environment it
 * logs at INFO, and the handler's first environment() call fails with the error naming the variable.
 */
function initialLevel() {
  try {
    return logLevel(environment());
  } catch {
    return 'INFO';
  }
}

export const logger = new Logger({ serviceName: 'delphi', logLevel: initialLevel() });
