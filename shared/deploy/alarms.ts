/**
 * CloudWatch alarms beside the state machine's own (failed and timed-out executions, declared in
 * serverless.yml): each Lambda's errors and throttles, and the API's 5xx answers. All notify the
 * alarm topic. serverless.yml merges them through shared/deploy/resources.cjs.
 */
import { FUNCTION_NAMES } from './access';

export const ALARM_TOPIC_ID = 'AlarmTopic';

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function alarm(description: string, namespace: string, metric: string, dimensions: Array<{ Name: string; Value: unknown }>, periodSeconds: number) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: namespace,
      MetricName: metric,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: periodSeconds,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // No invocations is not a fault.
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ALARM_TOPIC_ID }],
    },
  };
}

/**
 * `apiName` and `stage` name the REST API the way serverless does (`<stage>-<service>`, stage `<stage>`).
 * Throttles mean the account's Lambda concurrency is exhausted; errors include the failures a job
 * records (MarkFailed fails its execution on purpose), so they come with the executionsFailed alarm.
 */
export function alarmResources(apiName: string, stage: string): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const fn of FUNCTION_NAMES) {
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: `${pascal(fn)}LambdaFunction` } }];
    resources[`${pascal(fn)}ErrorsAlarm`] = alarm(`delphi ${fn}: invocations failed`, 'AWS/Lambda', 'Errors', dimensions, 300);
    resources[`${pascal(fn)}ThrottlesAlarm`] = alarm(`delphi ${fn}: invocations throttled`, 'AWS/Lambda', 'Throttles', dimensions, 300);
  }
  resources.Api5xxAlarm = alarm(
    'delphi API: 5xx answers (a handler failed or API Gateway could not reach it)',
    'AWS/ApiGateway',
    '5XXError',
    [
      { Name: 'ApiName', Value: apiName },
      { Name: 'Stage', Value: stage },
    ],
    300,
  );
  return resources;
}
