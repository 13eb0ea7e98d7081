import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnQueue, Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A key of another stack with the alias templates name it by; grants still use the key's ARN. */
export interface AliasedKey {
  readonly key: IKey;
  readonly alias: string;
}

/**
 * A queue for messages nobody should lose: encrypted with the given key, TLS-only, kept the SQS maximum
 * of 14 days so there is time to read, fix and redrive. Every queue here holds failures, so it is alarmed,
 * and is terminal: it declares itself a dead-letter queue (services, not queues, feed it, so no source
 * queue can be named).
 */
export function encryptedQueue(scope: Construct, id: string, key: IKey | AliasedKey): Queue {
  const aliased = 'alias' in key && typeof key.alias === 'string' ? (key as AliasedKey) : undefined;
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.KMS,
    // What senders are granted (by its ARN).
    encryptionMasterKey: aliased?.key ?? (key as IKey),
    // Data keys are reused for 1 hour, so KMS is called (and billed) rarely.
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
  });
  // A key of another stack is named by its alias: a plain string, no cross-stack reference to resolve.
  if (aliased) (queue.node.defaultChild as CfnQueue).kmsMasterKeyId = aliased.alias;
  return queue;
}
