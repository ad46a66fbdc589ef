/**
 * Errors with stable names. Step Functions matches Retry/Catch `ErrorEquals` on `name`, so renaming
 * a class silently changes the retry policy in statemachines/pipeline.asl.yml.
 */
export class DelphiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DelphiError';
  }
}

/** The input can never succeed as given: not retried, the job ends FAILED with this message. */
export class InvalidInputError extends DelphiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** A dependency failed in a way that may pass on retry (throttling, network, 5xx). */
export class TransientError extends DelphiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** An embedding or LLM provider kept answering 429: retried by the state machine with backoff. */
export class ProviderThrottledError extends DelphiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderThrottledError';
  }
}

/**
 * An embedding or LLM provider refused the request (bad model, bad key, bad request) or answered
 * something unusable (malformed JSON, wrong number of vectors): retrying cannot help, so the state
 * machine does not retry it and the job ends FAILED with this message. Never carries an API key.
 */
export class ProviderError extends DelphiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
  }
}

/** A job_id that has no record in Delphi_UMAPConversationConfig. */
export class JobNotFoundError extends DelphiError {
  constructor(jobId: string) {
    super(`No job with job_id "${jobId}" exists.`);
    this.name = 'JobNotFoundError';
  }
}

/** A job's changes were asked for, but its conversation has no earlier COMPLETED job to compare with. */
export class NoEarlierJobError extends DelphiError {
  constructor(message: string) {
    super(message);
    this.name = 'NoEarlierJobError';
  }
}

/** A required environment variable is missing or malformed (raised at cold start). */
export class ConfigurationError extends DelphiError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
