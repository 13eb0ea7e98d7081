import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnQueue, Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue for messages nobody should lose: encrypted with the given key, TLS-only, kept the SQS maximum
 * of 14 days so there is time to read, fix and redrive. Every queue here holds failures, so it is alarmed,
 * and is terminal: it declares itself a dead-letter queue (services, not queues, feed it, so no source
 * queue can be named). `key` is what senders are granted; `keyAlias`, when given, is its alias.
 */
export function encryptedQueue(
  scope: Construct,
  id: string,
  key: IKey,
  options: { keyAlias?: string } = {},
): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    // Data keys are reused for 1 hour, so KMS is called (and billed) rarely.
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
  });
  // A key of another stack is named by its alias: a plain string, no cross-stack reference to resolve.
  if (options.keyAlias) (queue.node.defaultChild as CfnQueue).kmsMasterKeyId = options.keyAlias;
  return queue;
}
