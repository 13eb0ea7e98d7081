import { Aws, Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../../shared/contracts/metrics';

const PERIOD = Duration.minutes(5);

/** ARN pattern of every alarm whose name starts with `prefix-`. */
export function alarmArnPattern(prefix: string): string {
  return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}-*`;
}

export interface OperationsProps {
  /** Encrypts the alarm topic; its policy must let CloudWatch use it for `alarmArnPattern(alarmNamePrefix)`. */
  readonly key: IKey;
  /**
   * Email address subscribed to the alarm topic (config `operations.alarmEmail`).
   * @default - no subscription; subscribe a pager or chat integration to `topic` yourself
   */
  readonly alarmEmail?: string;
  /** Prefix of every alarm name, so the runbook can name them. */
  readonly alarmNamePrefix: string;
}

/** What an alarm is called and what it tells the operator (copied into the README runbook). */
export interface AlarmText {
  /** Appended to the prefix, e.g. `schedules-undelivered`. */
  readonly name: string;
  /** What the alarm means and what to do first. */
  readonly description: string;
}

/** The operations topic and the alarms that publish to it. */
export class Operations extends Construct {
  readonly topic: Topic;
  private readonly props: OperationsProps;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.props = props;
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Ketamine follow-up operations alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // enforceSSL replaces the default topic policy, so CloudWatch needs its own statement: our alarms only.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': alarmArnPattern(props.alarmNamePrefix) },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  /** Alarms as soon as one message is waiting in a queue of failures. */
  alarmOnQueue(queue: IQueue, text: AlarmText): Alarm {
    return this.alarm(
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
      text,
    );
  }

  /** Alarms on any invocation error of the function within 5 minutes. */
  alarmOnErrors(fn: IFunction, text: AlarmText): Alarm {
    return this.alarm(fn.metricErrors({ statistic: 'Sum', period: PERIOD }), text);
  }

  /**
   * Alarms as soon as a metric the functions count (namespace `METRICS_NAMESPACE`, dimension
   * `service`) sums to 1 or more within a minute, e.g. `AlertDeliveryFailures`.
   */
  alarmOnServiceMetric(metricName: string, text: AlarmText): Alarm {
    return this.alarm(serviceMetric(metricName, 'Sum', Duration.minutes(1)), text);
  }

  /**
   * Alarms while a metric a daily job reports (0 included) is 1 or more: the alarm stays on until the next day's
   * run reports 0, instead of clearing a minute after the run.
   */
  alarmOnDailyServiceMetric(metricName: string, text: AlarmText): Alarm {
    return this.alarm(serviceMetric(metricName, 'Maximum', Duration.days(1)), text);
  }

  /** Alarms while `metric` is at or above `threshold` (a rate such as SES's bounce rate). */
  alarmOnLevel(metric: IMetric, threshold: number, text: AlarmText): Alarm {
    return this.alarm(metric, text, { threshold });
  }

  /** Alarms as soon as the HTTP API answers one 5xx within 5 minutes (gateway or integration errors). */
  alarmOnHttpApiServerErrors(api: IHttpApi, text: AlarmText): Alarm {
    return this.alarm(api.metricServerError({ statistic: 'Sum', period: PERIOD }), text);
  }

  /**
   * Alarms when a metric the functions count on every run has no data point for 5 minutes: the thing that
   * should run (e.g. the alert sweeper) has stopped, which the other alarms, reading no data as fine,
   * cannot see.
   */
  alarmOnMissingServiceMetric(metricName: string, text: AlarmText): Alarm {
    const metric = serviceMetric(metricName, 'SampleCount', PERIOD);
    return this.alarm(metric, text, {
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // Here no data is the failure.
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  private alarm(
    metric: IMetric,
    text: AlarmText,
    options: {
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
      threshold?: number;
    } = {},
  ): Alarm {
    const alarm = new Alarm(this, text.name, {
      alarmName: `${this.props.alarmNamePrefix}-${text.name}`,
      alarmDescription: text.description,
      metric,
      threshold: options.threshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means an idle queue or function, not a failure.
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }
}

/** A metric the functions report (namespace `METRICS_NAMESPACE`, dimension `service`). */
function serviceMetric(metricName: string, statistic: string, period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period,
  });
}
