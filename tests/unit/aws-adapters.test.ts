import {
  DescribeAccountAttributesCommand,
  DescribeOptedOutNumbersCommand,
  DescribeVerifiedDestinationNumbersCommand,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ConflictException as SmsConflictException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  GetSuppressedDestinationCommand,
  SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsDeadLetterSink } from '../../shared/adapters/aws/dead-letters';
import { EumSmsSender } from '../../shared/adapters/aws/eum-sms-sender';
import { SesMailer } from '../../shared/adapters/aws/mailer';
import { atExpression, EventBridgeScheduler } from '../../shared/adapters/aws/scheduler';
import { SecretsManagerSigningKey } from '../../shared/adapters/aws/signing-key';
import { ChannelStaffNotifier } from '../../shared/adapters/aws/staff-notifier';
import { ProviderStaffReachability } from '../../shared/adapters/aws/staff-reachability';
import { AddressRefusedError, type MessageSchedule } from '../../shared/domain/ports';
import { onCallRecipients } from '../support/staff';

const schedulerMock = mockClient(SchedulerClient);
const sesMock = mockClient(SESv2Client);
const eumMock = mockClient(PinpointSMSVoiceV2Client);
const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

beforeEach(() => {
  // Reject by default: only the inputs a test expects resolve.
  schedulerMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
  sesMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
  eumMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
  sqsMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
  secretsMock.reset().onAnyCommand().rejects(new Error('unexpected command'));
});

const schedulerConfig = {
  groupName: 'clinic-messages',
  targetArn: 'arn:aws:lambda:us-east-1:111122223333:function:send-message',
  roleArn: 'arn:aws:iam::111122223333:role/scheduler-invoke',
  deadLetterArn: 'arn:aws:sqs:us-east-1:111122223333:schedule-dlq',
};

const schedule = {
  name: 'msg-0123456789abcdef',
  fireAt: '2026-11-06T17:00:00.000Z',
  timeZone: 'America/New_York',
  payload: { bookingId: 'b-1', kind: 'checkin-week', at: '2026-11-06T17:00:00.000Z', version: 3 },
} as const satisfies MessageSchedule;

const expectedInput: CreateScheduleCommandInput = {
  Name: 'msg-0123456789abcdef',
  GroupName: 'clinic-messages',
  ScheduleExpression: 'at(2026-11-06T12:00:00)',
  ScheduleExpressionTimezone: 'America/New_York',
  FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
  ActionAfterCompletion: ActionAfterCompletion.DELETE,
  Target: {
    Arn: schedulerConfig.targetArn,
    RoleArn: schedulerConfig.roleArn,
    Input: JSON.stringify(schedule.payload),
    RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: schedulerConfig.deadLetterArn },
  },
};

describe('EventBridgeScheduler', () => {
  const scheduler = () => new EventBridgeScheduler(new SchedulerClient({}), schedulerConfig);

  describe('upsert', () => {
    it('creates a one-time schedule in the patient zone with retries, a DLQ and delete-after-completion', async () => {
      schedulerMock.on(CreateScheduleCommand, expectedInput).resolves({ ScheduleArn: 'arn:schedule' });
      await scheduler().upsert(schedule);
      expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, { ...expectedInput });
      expect(schedulerMock).not.toHaveReceivedCommand(UpdateScheduleCommand);
    });

    it('updates the schedule when one with that name exists', async () => {
      schedulerMock
        .on(CreateScheduleCommand)
        .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
        .on(UpdateScheduleCommand, expectedInput)
        .resolves({ ScheduleArn: 'arn:schedule' });
      await scheduler().upsert(schedule);
      expect(schedulerMock).toHaveReceivedCommandWith(UpdateScheduleCommand, { ...expectedInput });
    });

    it('carries opaque ids only in the payload', async () => {
      schedulerMock.on(CreateScheduleCommand).resolves({});
      await scheduler().upsert(schedule);
      const input = schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
      expect(Object.keys(JSON.parse(input?.Target?.Input ?? '{}')).sort()).toEqual([
        'at',
        'bookingId',
        'kind',
        'version',
      ]);
    });
  });

  describe('remove', () => {
    it('deletes the schedule from its group', async () => {
      schedulerMock.on(DeleteScheduleCommand, { Name: 'msg-1', GroupName: 'clinic-messages' }).resolves({});
      await scheduler().remove('msg-1');
      expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, {
        Name: 'msg-1',
        GroupName: 'clinic-messages',
      });
    });

    it('treats a schedule that is already gone as removed', async () => {
      schedulerMock
        .on(DeleteScheduleCommand)
        .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
      await expect(scheduler().remove('msg-1')).resolves.toBeUndefined();
    });

    it('passes on any other error so the event is retried', async () => {
      schedulerMock.on(DeleteScheduleCommand).rejects(new Error('throttled'));
      await expect(scheduler().remove('msg-1')).rejects.toThrow('throttled');
    });
  });

  describe('atExpression', () => {
    it('writes local wall-clock time in the zone', () => {
      expect(atExpression('2026-07-01T13:30:00.000Z', 'America/New_York')).toEqual({
        expression: 'at(2026-07-01T09:30:00)',
        timeZone: 'America/New_York',
      });
    });

    it('falls back to UTC for a local time that occurs twice at the end of DST', () => {
      // 01:30 on 1 Nov 2026 happens twice in New York.
      expect(atExpression('2026-11-01T05:30:00.000Z', 'America/New_York')).toEqual({
        expression: 'at(2026-11-01T05:30:00)',
        timeZone: 'UTC',
      });
    });
  });
});

describe('SesMailer', () => {
  it('sends text and HTML parts and attachments in one message, tagged with the kind only', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const mailer = new SesMailer(new SESv2Client({}), {
      from: 'care@example.org',
      configurationSet: 'followup',
    });
    const result = await mailer.send({
      to: 'pat@example.org',
      subject: 'Your visit with Riverside Clinic',
      text: 'Hello',
      html: '<p>Hello</p>',
      attachments: [
        { filename: 'appointment.ics', contentType: 'text/calendar', content: 'BEGIN:VCALENDAR' },
      ],
      kind: 'prep-instructions',
      bookingId: 'b-1',
      deliveryId: 'd_0123456789abcdefghijkl',
    });
    expect(result).toEqual({ messageId: 'ses-1' });
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'care@example.org',
      Destination: { ToAddresses: ['pat@example.org'] },
      ConfigurationSetName: 'followup',
      Content: {
        Simple: {
          Subject: { Data: 'Your visit with Riverside Clinic', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Hello', Charset: 'UTF-8' },
            Html: { Data: '<p>Hello</p>', Charset: 'UTF-8' },
          },
          Attachments: [
            {
              FileName: 'appointment.ics',
              ContentType: 'text/calendar',
              RawContent: new TextEncoder().encode('BEGIN:VCALENDAR'),
              ContentDisposition: 'ATTACHMENT',
            },
          ],
        },
      },
      // SES hands tags back on every event: the kind and the opaque delivery id, never the booking id.
      EmailTags: [
        { Name: 'kind', Value: 'prep-instructions' },
        { Name: 'delivery', Value: 'd_0123456789abcdefghijkl' },
      ],
    });
  });

  it('passes provider errors on', async () => {
    sesMock.on(SendEmailCommand).rejects(new Error('Throttling'));
    const mailer = new SesMailer(new SESv2Client({}), { from: 'care@example.org' });
    await expect(
      mailer.send({
        to: 'a@example.org',
        subject: 's',
        text: 't',
        html: 'h',
        kind: 'prep-reminder',
        bookingId: 'b',
      }),
    ).rejects.toThrow('Throttling');
  });
});

describe('ChannelStaffNotifier', () => {
  const notifier = () =>
    new ChannelStaffNotifier(
      new SesMailer(new SESv2Client({}), { from: 'care@example.org', configurationSet: 'followup-tls' }),
      new EumSmsSender(new PinpointSMSVoiceV2Client({}), {
        configurationSet: 'followup-sms',
        maxPrice: '0.05',
        timeToLiveSeconds: 3600,
      }),
    );
  const { email, phone } = onCallRecipients();
  const message = { topic: 'alerts', subject: 'URGENT: check-in needs review', text: 'URGENT ...' } as const;

  it('emails one staff recipient through SES and the TLS-required configuration set, text only, no topic', async () => {
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-9' });
    await expect(notifier().send(email, message)).resolves.toEqual({ messageId: 'ses-9' });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'care@example.org',
      Destination: { ToAddresses: ['on-call@example-clinic.org'] },
      ConfigurationSetName: 'followup-tls',
      Content: {
        Simple: {
          Subject: { Data: 'URGENT: check-in needs review', Charset: 'UTF-8' },
          Body: { Text: { Data: 'URGENT ...', Charset: 'UTF-8' } },
        },
      },
      EmailTags: [{ Name: 'kind', Value: 'staff-alert' }],
    });
    expect(eumMock).not.toHaveReceivedAnyCommand();
  });

  it('texts one staff phone through End User Messaging, transactional, and tags an escalation email as such', async () => {
    eumMock.on(SendTextMessageCommand).resolves({ MessageId: 'eum-9' });
    await expect(notifier().send(phone, message)).resolves.toEqual({ messageId: 'eum-9' });
    expect(eumMock).toHaveReceivedCommandWith(SendTextMessageCommand, {
      DestinationPhoneNumber: '+15555550101',
      MessageBody: 'URGENT ...',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'followup-sms',
      Context: { kind: 'staff-alert' },
    });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-10' });
    await notifier().send(email, { ...message, topic: 'escalation' });
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      EmailTags: [{ Name: 'kind', Value: 'staff-escalation' }],
    });
  });

  it('passes a refusal on, so that recipient alone is retried', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Address is on the suppression list'), { name: 'MessageRejected' }));
    await expect(notifier().send(email, message)).rejects.toThrow(/suppression/);
  });
});

describe('ProviderStaffReachability', () => {
  const reachability = () =>
    new ProviderStaffReachability(new SESv2Client({}), new PinpointSMSVoiceV2Client({}), 'clinic-opt-outs');
  const { email, phone } = onCallRecipients();
  const notFound = () => Object.assign(new Error('not found'), { name: 'NotFoundException' });

  it('answers reachable for an address off the suppression list in a production SES account', async () => {
    sesMock
      .on(GetSuppressedDestinationCommand, { EmailAddress: 'on-call@example-clinic.org' })
      .rejects(notFound())
      .on(GetAccountCommand, {})
      .resolves({ SendingEnabled: true, ProductionAccessEnabled: true });
    await expect(reachability().check(email)).resolves.toEqual({ reachable: true });
  });

  it('names the suppression reason, paused sending, and an unverified address in the sandbox', async () => {
    sesMock.on(GetSuppressedDestinationCommand).resolves({
      SuppressedDestination: { EmailAddress: 'x', Reason: 'COMPLAINT', LastUpdateTime: new Date() },
    });
    await expect(reachability().check(email)).resolves.toEqual({
      reachable: false,
      reason: 'ses-suppressed:COMPLAINT',
    });
    sesMock
      .on(GetSuppressedDestinationCommand)
      .rejects(notFound())
      .on(GetAccountCommand)
      .resolves({ SendingEnabled: false });
    await expect(reachability().check(email)).resolves.toMatchObject({
      reason: 'ses-sending-paused',
    });
    sesMock
      .on(GetAccountCommand)
      .resolves({ SendingEnabled: true, ProductionAccessEnabled: false })
      .on(GetEmailIdentityCommand, { EmailIdentity: 'on-call@example-clinic.org' })
      .rejects(notFound())
      .on(GetEmailIdentityCommand, { EmailIdentity: 'example-clinic.org' })
      .resolves({ VerifiedForSendingStatus: false });
    await expect(reachability().check(email)).resolves.toMatchObject({
      reason: 'ses-sandbox-unverified',
    });
    // A verified domain covers its addresses.
    sesMock
      .on(GetEmailIdentityCommand, { EmailIdentity: 'example-clinic.org' })
      .resolves({ VerifiedForSendingStatus: true });
    await expect(reachability().check(email)).resolves.toEqual({ reachable: true });
  });

  it("names a phone on the clinic's opt-out list, and one the SMS sandbox has not verified", async () => {
    eumMock
      .on(DescribeOptedOutNumbersCommand, {
        OptOutListName: 'clinic-opt-outs',
        OptedOutNumbers: ['+15555550101'],
      })
      .resolves({
        OptedOutNumbers: [
          { OptedOutNumber: '+15555550101', OptedOutTimestamp: new Date(), EndUserOptedOut: true },
        ],
      });
    await expect(reachability().check(phone)).resolves.toEqual({
      reachable: false,
      reason: 'sms-opted-out',
    });

    // Not on the list: End User Messaging answers that the number is not found there.
    eumMock
      .on(DescribeOptedOutNumbersCommand)
      .rejects(
        Object.assign(new Error('not found'), {
          name: 'ResourceNotFoundException',
          ResourceType: 'opted-out-number',
        }),
      )
      .on(DescribeAccountAttributesCommand)
      .resolves({ AccountAttributes: [{ Name: 'ACCOUNT_TIER', Value: 'SANDBOXED' }] })
      .on(DescribeVerifiedDestinationNumbersCommand, { DestinationPhoneNumbers: ['+15555550101'] })
      .resolves({ VerifiedDestinationNumbers: [] });
    await expect(reachability().check(phone)).resolves.toEqual({
      reachable: false,
      reason: 'sms-sandbox-unverified',
    });
    eumMock
      .on(DescribeAccountAttributesCommand)
      .resolves({ AccountAttributes: [{ Name: 'ACCOUNT_TIER', Value: 'PRODUCTION' }] });
    await expect(reachability().check(phone)).resolves.toEqual({ reachable: true });
  });

  it('passes on a missing opt-out list instead of calling the phone reachable', async () => {
    eumMock.on(DescribeOptedOutNumbersCommand).rejects(
      Object.assign(new Error('no list'), {
        name: 'ResourceNotFoundException',
        ResourceType: 'opt-out-list',
      }),
    );
    await expect(reachability().check(phone)).rejects.toThrow('no list');
  });
});

describe('EumSmsSender', () => {
  it('sends a transactional text from the origination identity through the configuration set, capped and with a time to live', async () => {
    eumMock.on(SendTextMessageCommand).resolves({ MessageId: 'eum-1' });
    const sender = new EumSmsSender(new PinpointSMSVoiceV2Client({}), {
      originationIdentity: 'pool-0123456789abcdef',
      configurationSet: 'followup-sms',
      maxPrice: '0.05',
      timeToLiveSeconds: 21_600,
    });
    await expect(
      sender.send({
        to: '+15550100002',
        text: 'Hi',
        kind: 'prep-day-of',
        bookingId: 'b-1',
        deliveryId: 'd_abc',
      }),
    ).resolves.toEqual({ messageId: 'eum-1' });
    expect(eumMock).toHaveReceivedCommandTimes(SendTextMessageCommand, 1);
    expect(eumMock.commandCalls(SendTextMessageCommand)[0]?.args[0].input).toEqual({
      DestinationPhoneNumber: '+15550100002',
      OriginationIdentity: 'pool-0123456789abcdef',
      MessageBody: 'Hi',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'followup-sms',
      MaxPrice: '0.05',
      TimeToLive: 21_600,
      // Opaque only: the kind and the delivery id come back on each event; no booking id, no phone.
      Context: { kind: 'prep-day-of', delivery: 'd_abc' },
    });
  });

  it('turns a refusal of an opted-out phone into AddressRefusedError, without the phone', async () => {
    eumMock.on(SendTextMessageCommand).rejects(
      new SmsConflictException({
        $metadata: { httpStatusCode: 409 },
        message: 'The destination phone number +15550100002 is opted out',
        Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        ResourceType: 'opt-out-list',
        ResourceId: 'followup-opt-outs',
      }),
    );
    const sender = new EumSmsSender(new PinpointSMSVoiceV2Client({}), {
      configurationSet: 'followup-sms',
      maxPrice: '0.05',
      timeToLiveSeconds: 3600,
    });
    const refused = await sender
      .send({ to: '+15550100002', text: 'Hi', kind: 'checkin-week' })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(AddressRefusedError);
    expect(refused).toMatchObject({ status: 'opted-out' });
    expect(String(refused.message)).not.toContain('0100002');
  });

  it('lets End User Messaging pick the number when none is configured, and passes refusals on', async () => {
    eumMock
      .on(SendTextMessageCommand)
      .rejects(Object.assign(new Error('destination opted out'), { name: 'ConflictException' }));
    const sender = new EumSmsSender(new PinpointSMSVoiceV2Client({}), {
      configurationSet: 'followup-sms',
      maxPrice: '0.05',
      timeToLiveSeconds: 3600,
    });
    await expect(sender.send({ to: '+15550100002', text: 'Hi', kind: 'staff-alert' })).rejects.toThrow(
      /opted out/,
    );
    expect(eumMock.commandCalls(SendTextMessageCommand)[0]?.args[0].input).not.toHaveProperty(
      'OriginationIdentity',
    );
  });
});

describe('SqsDeadLetterSink', () => {
  it('keeps the letter with its reason as a message attribute', async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
    const letter = {
      source: 'booking-events',
      reason: 'detail.patient.email: needs email or phone',
      at: '2026-01-01T00:00:00Z',
    };
    await new SqsDeadLetterSink(new SQSClient({}), 'https://sqs.example/rejected').keep(letter);
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: 'https://sqs.example/rejected',
      MessageBody: JSON.stringify(letter),
      MessageAttributes: {
        source: { DataType: 'String', StringValue: 'booking-events' },
        reason: { DataType: 'String', StringValue: letter.reason },
      },
    });
  });
});

describe('SecretsManagerSigningKey', () => {
  it('fetches the key once per container for 5 minutes, a bare key being key 0', async () => {
    secretsMock
      .on(GetSecretValueCommand, { SecretId: 'arn:secret' })
      .resolves({ SecretString: 'k'.repeat(48) });
    let now = 0;
    const key = new SecretsManagerSigningKey(new SecretsManagerClient({}), 'arn:secret', () => now);
    const [first, second] = await Promise.all([key.get(), key.get()]);
    expect(first.current.id).toBe(0);
    expect(Buffer.from(first.current.key).toString()).toBe('k'.repeat(48));
    expect(second).toBe(first);
    now = 5 * 60_000;
    await key.get();
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    now = 5 * 60_000 + 1;
    await key.get();
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('fetches again on refresh (a rotated key), at most once per 30 seconds, and keeps the old keys if that fails', async () => {
    const rotated = JSON.stringify({
      current: { id: 1, key: 'n'.repeat(44) },
      previous: { id: 0, key: 'k'.repeat(48) },
    });
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'k'.repeat(48) })
      .resolvesOnce({ SecretString: rotated })
      .rejects(new Error('throttled'));
    let now = 0;
    const key = new SecretsManagerSigningKey(new SecretsManagerClient({}), 'arn:secret', () => now);
    expect((await key.get()).current.id).toBe(0);
    expect((await key.refresh()).current.id).toBe(1);
    // A flood of bad tokens: no further fetch within 30 seconds.
    now = 29_000;
    await key.refresh();
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    // Secrets Manager failing: the keys fetched before still serve, and it is asked again 30 s later, not
    // on every request.
    now = 31_000;
    expect((await key.refresh()).current.id).toBe(1);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
    now = 40_000;
    await key.get();
    await key.get();
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
    now = 62_000;
    expect((await key.get()).current.id).toBe(1);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 4);
  });

  it('reads a rotated secret as its current and previous keys, with their ids', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: 'arn:rotated' }).resolves({
      SecretString: JSON.stringify({
        current: { id: 2, key: 'c'.repeat(44) },
        previous: { id: 1, key: 'p'.repeat(44) },
      }),
    });
    const keys = await new SecretsManagerSigningKey(new SecretsManagerClient({}), 'arn:rotated').get();
    expect(keys).toEqual({
      current: { id: 2, key: new TextEncoder().encode('c'.repeat(44)) },
      previous: { id: 1, key: new TextEncoder().encode('p'.repeat(44)) },
    });
  });

  it('refuses a rotated secret without a valid current key', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: 'arn:broken' }).resolves({
      SecretString: JSON.stringify({ current: { id: 300, key: 'c'.repeat(44) } }),
    });
    await expect(
      new SecretsManagerSigningKey(new SecretsManagerClient({}), 'arn:broken').get(),
    ).rejects.toThrow(/no valid current key/);
  });

  it('refuses a short key and tries again on the next call', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'short' })
      .resolves({ SecretString: 'x'.repeat(40) });
    const key = new SecretsManagerSigningKey(new SecretsManagerClient({}), 'arn:secret');
    await expect(key.get()).rejects.toThrow('missing or short');
    expect((await key.get()).current.key).toHaveLength(40);
  });
});
