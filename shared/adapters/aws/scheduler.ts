import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { DateTime } from 'luxon';
import type { Schedule, Scheduler } from '../../domain/ports';

export interface EventBridgeSchedulerConfig {
  groupName: string;
  /** The function the schedules invoke. */
  targetArn: string;
  /** The role Scheduler assumes; it may invoke only the target. */
  roleArn: string;
  deadLetterArn: string;
}

/**
 * One-time EventBridge Scheduler schedules: `at()` in the patient's zone,
 * deleted after they fire, retried, with a dead-letter queue.
 */
export class EventBridgeScheduler<P> implements Scheduler<P> {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
  ) {}

  async upsert(schedule: Schedule<P>): Promise<void> {
    const input = this.toInput(schedule);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  remove(name: string): Promise<void> {
    return removeSchedule(this.client, this.config.groupName, name);
  }

  private toInput(schedule: Schedule<P>): CreateScheduleCommandInput {
    const { expression, timeZone } = atExpression(schedule.fireAt, schedule.timeZone);
    return {
      Name: schedule.name,
      GroupName: this.config.groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: timeZone,
      FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
      ActionAfterCompletion: ActionAfterCompletion.DELETE,
      Target: {
        Arn: this.config.targetArn,
        RoleArn: this.config.roleArn,
        Input: JSON.stringify(schedule.payload),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: this.config.deadLetterArn },
      },
    };
  }
}

/** Deletes a schedule; one that is already gone (fired, or removed before) is not an error. */
export async function removeSchedule(
  client: SchedulerClient,
  groupName: string,
  name: string,
): Promise<void> {
  try {
    await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}

/**
 * `at(yyyy-mm-ddThh:mm:ss)` in the patient's zone. A local time that occurs
 * twice or never (a DST change) is written in UTC instead, so it stays exact.
 */
export function atExpression(fireAtIso: string, zone: string): { expression: string; timeZone: string } {
  const utc = DateTime.fromISO(fireAtIso, { zone: 'utc' }).startOf('second');
  const local = utc.setZone(zone);
  const unambiguous = local.getPossibleOffsets().length === 1;
  const chosen = unambiguous ? local : utc;
  return {
    expression: `at(${chosen.toFormat("yyyy-MM-dd'T'HH:mm:ss")})`,
    timeZone: unambiguous ? zone : 'UTC',
  };
}
