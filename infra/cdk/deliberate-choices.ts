import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The AWS Control Tower proactive controls the template does not meet, on
 * purpose, each with its reason; README "Deliberate choices" lists the same
 * (a test keeps them in step). Only these kinds are allowed (DESIGN section 8).
 */
export const DELIBERATE_CHOICES = {
  'route-authenticates-caller': {
    control: 'CT.APIGATEWAY.PR.5',
    guardRule: 'api_gw_v2_authorization_type_configured_check',
    reason:
      'The function authenticates the caller (signed patient link, console session) before it reads or stores ' +
      'anything; patients and staff have no IAM identity to sign requests with.',
  },
  'outside-vpc': {
    control: 'CT.LAMBDA.PR.3',
    guardRule: 'lambda_inside_vpc_check',
    reason:
      'The functions reach only AWS APIs; in a VPC they would need interface endpoints (about $7 a month each, ' +
      'per zone), several times the fixed-cost budget.',
  },
  'edge-logs-without-paths': {
    edgeOnly: true,
    control: 'CT.CLOUDFRONT.PR.5',
    guardRule: 'cloudfront_access_logs_enabled_check',
    reason:
      "Only with the optional edge. Legacy S3 access logs write each request's path, and a link's path is its " +
      'credential; standard logging v2 writes chosen fields (no path, query, cookie or referer) to an encrypted log group.',
  },
  'edge-single-origin': {
    edgeOnly: true,
    control: 'CT.CLOUDFRONT.PR.4',
    guardRule: 'cloudfront_origin_failover_enabled_check',
    reason:
      'Only with the optional edge. CloudFront fails over only GET, HEAD and OPTIONS, and replies and ' +
      'acknowledgements are POSTs; the API and its data live in one region.',
  },
} as const;
export type DeliberateChoice = keyof typeof DELIBERATE_CHOICES;

/** Records on `construct`'s resource that it departs from a control on purpose (cfn-guard's suppression). */
export function departDeliberately(construct: IConstruct, choice: DeliberateChoice): void {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  const current = (resource.getMetadata('guard') as { SuppressedRules?: string[] } | undefined)
    ?.SuppressedRules;
  resource.addMetadata('guard', {
    SuppressedRules: [...(current ?? []), DELIBERATE_CHOICES[choice].guardRule],
  });
}
