import { awsRecipientCheckDeps } from '../shared/adapters/aws/composition';
import { checkStaffRecipients, type RecipientCheckDeps } from '../shared/domain/alerts/staff-recipient-check';

/**
 * The daily check that every configured staff recipient can be reached
 * (schedule at config `staff.recipientCheckTime`); its count of findings is
 * the `staff-recipient-unreachable` alarm's metric.
 */
export function createRecipientCheckHandler(deps: RecipientCheckDeps) {
  return async () => {
    try {
      const result = await checkStaffRecipients(deps);
      return { checked: result.checked, unreachable: result.unreachable.length };
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createRecipientCheckHandler> | undefined;

export const handler = () => {
  live ??= createRecipientCheckHandler(awsRecipientCheckDeps());
  return live();
};
