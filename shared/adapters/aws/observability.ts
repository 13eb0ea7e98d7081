import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../contracts/metrics';
import type { Log, Metrics as MetricsPort } from '../../domain/ports';

export const logger = new Logger({ serviceName: METRICS_SERVICE });
const powertoolsMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

export const log: Log = {
  info: (message, fields) => logger.info(message, fields ?? {}),
  warn: (message, fields) => logger.warn(message, fields ?? {}),
  error: (message, fields) => logger.error(message, fields ?? {}),
};

let counted = false;

export const metrics: MetricsPort = {
  count: (name, value = 1) => {
    counted = true;
    powertoolsMetrics.addMetric(name, MetricUnit.Count, value);
  },
  // Publishing nothing would only log Powertools' "no metrics" warning.
  flush: () => {
    if (counted) powertoolsMetrics.publishStoredMetrics();
    counted = false;
  },
};
