/** Environment configuration, read once at cold start; a bad value fails fast and names the variable. */
import { ConfigurationError } from './errors';

export interface RuntimeConfig {
  /** Local DynamoDB-compatible endpoint (dynalite); unset in AWS. */
  dynamodbEndpoint?: string;
  /** Stage suffix of table names in AWS (Delphi_CommentEmbeddings_<suffix>); empty locally. */
  tableSuffix: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new ConfigurationError(`DYNAMODB_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  }
  const tableSuffix = env.DELPHI_TABLE_SUFFIX?.trim() ?? '';
  if (tableSuffix && !/^[A-Za-z0-9_.-]{1,40}$/.test(tableSuffix)) {
    throw new ConfigurationError(`DELPHI_TABLE_SUFFIX must be 1–40 letters, digits, '_', '-' or '.', got "${tableSuffix}"`);
  }
  return { dynamodbEndpoint: endpoint, tableSuffix };
}
