import { awsDigestDeps } from '../shared/adapters/aws/composition';
import { type DigestDeps, sendReviewDigest } from '../shared/domain/alerts/send-review-digest';

/** Target of the daily digest schedule (cron at `staff.digestTime` in the clinic's zone). */
export function createReviewDigestHandler(deps: DigestDeps) {
  return async () => {
    try {
      return await sendReviewDigest(deps);
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createReviewDigestHandler> | undefined;

export const handler = () => {
  live ??= createReviewDigestHandler(awsDigestDeps());
  return live();
};
