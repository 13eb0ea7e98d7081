import { ADDRESS_UNREACHABLE, DELIVERY_STATUSES, type DeliveryStatus } from '../../contracts/delivery';

/**
 * Which status stands when several arrive, in any order: a failure outranks a delivery (an SMS can be
 * reported delivered and then expired), a complaint or an opt-out outranks everything (it comes after the
 * delivery it complains of). Ties go to the later status in the list, so the outcome never depends on the
 * order providers deliver their events.
 */
export function deliveryRank(status: DeliveryStatus): number {
  const tier = status === 'sent' ? 0 : status === 'delivered' ? 1 : ADDRESS_UNREACHABLE.has(status) ? 3 : 2;
  return tier * 100 + DELIVERY_STATUSES.indexOf(status);
}
