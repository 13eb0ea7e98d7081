import {
  bookingCancelledSchema,
  DETAIL_TYPES,
  fullBookingSchema,
  sessionCompletedSchema,
} from '../shared/contracts/booking-events';
import * as z from '../shared/contracts/zod';

/** The published JSON Schema files, generated from the zod schemas the functions validate with. */
export function eventSchemaFiles(): Record<string, unknown> {
  const detail = (title: string, detailType: string, schema: z.ZodMiniType) => ({
    ...z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }),
    title,
    description: `The detail of a "${detailType}" event on the booking bus (source: one of the configured booking sources).`,
  });
  return {
    'booking-created.schema.json': detail('Booking Created', DETAIL_TYPES.created, fullBookingSchema),
    'booking-rescheduled.schema.json': detail(
      'Booking Rescheduled',
      DETAIL_TYPES.rescheduled,
      fullBookingSchema,
    ),
    'booking-cancelled.schema.json': detail(
      'Booking Cancelled',
      DETAIL_TYPES.cancelled,
      bookingCancelledSchema,
    ),
    'session-completed.schema.json': detail(
      'Session Completed',
      DETAIL_TYPES.completed,
      sessionCompletedSchema,
    ),
  };
}

export function serialise(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
