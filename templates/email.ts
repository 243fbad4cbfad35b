/**
 * The environment's email (SES v2): a domain identity with Easy DKIM, a configuration set with
 * reputation metrics and a CloudWatch event destination, and, when the domain is in the
 * environment's zone, the DKIM CNAME records and the MAIL FROM domain's MX and SPF records.
 *
 * Properties and attributes follow the CloudFormation registry schemas of AWS::SES::EmailIdentity,
 * AWS::SES::ConfigurationSet and AWS::SES::ConfigurationSetEventDestination
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ses-emailidentity.html);
 * the MAIL FROM records are those of "Using a custom MAIL FROM domain"
 * (https://docs.aws.amazon.com/ses/latest/dg/mail-from.html).
 */
import { emailConfigurationSet, type Ids } from '../src/naming';
import type { EmailConfig } from '../src/config/model';
import { fqdn } from '../src/naming';
import { getAtt, ref, tagged, type Resource, type Value } from './cfn';

export interface EmailInput {
  ids: Ids & { env: string };
  region: string;
  email: EmailConfig;
  zoneId: Value;
}

/** Events the CloudWatch destination counts (SES v2 event types). */
export const EMAIL_EVENTS = ['SEND', 'REJECT', 'BOUNCE', 'COMPLAINT', 'DELIVERY', 'DELIVERY_DELAY', 'RENDERING_FAILURE'];
const DNS_TTL = '1800';

/** The MAIL FROM domain's MX target: SES's feedback endpoint in the region. */
export const mailFromMx = (region: string) => `10 feedback-smtp.${region}.amazonses.com`;
export const MAIL_FROM_SPF = '"v=spf1 include:amazonses.com ~all"';

export function emailResources(input: EmailInput): { resources: Record<string, Resource>; outputs: { emailDomain: Value; emailConfigurationSet: Value; emailMailFromDomain?: Value } } {
  const { ids, email, zoneId, region } = input;
  const r: Record<string, Resource> = {
    EmailConfigurationSet: tagged('AWS::SES::ConfigurationSet', ids, {
      Name: emailConfigurationSet(ids.platform, ids.env),
      ReputationOptions: { ReputationMetricsEnabled: true },
      // Addresses that bounced or complained are not sent to again (the account-level list).
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    }),
    EmailEventDestination: {
      Type: 'AWS::SES::ConfigurationSetEventDestination',
      Properties: {
        ConfigurationSetName: ref('EmailConfigurationSet'),
        EventDestination: {
          Name: 'cloudwatch',
          Enabled: true,
          MatchingEventTypes: EMAIL_EVENTS,
          CloudWatchDestination: {
            DimensionConfigurations: [{ DimensionName: 'ses:from-domain', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' }],
          },
        },
      },
    },
    EmailIdentity: tagged('AWS::SES::EmailIdentity', ids, {
      EmailIdentity: email.domain,
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      DkimAttributes: { SigningEnabled: true },
      ConfigurationSetAttributes: { ConfigurationSetName: ref('EmailConfigurationSet') },
      ...(email.mailFrom ? { MailFromAttributes: { MailFromDomain: email.mailFrom, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' } } : {}),
    }),
  };
  if (email.inZone) {
    for (const n of [1, 2, 3]) {
      r[`EmailDkimRecord${n}`] = {
        Type: 'AWS::Route53::RecordSet',
        Properties: {
          HostedZoneId: zoneId,
          Name: getAtt('EmailIdentity', `DkimDNSTokenName${n}`),
          Type: 'CNAME',
          TTL: DNS_TTL,
          ResourceRecords: [getAtt('EmailIdentity', `DkimDNSTokenValue${n}`)],
        },
      };
    }
    if (email.mailFrom) {
      const record = (type: string, value: string): Resource => ({
        Type: 'AWS::Route53::RecordSet',
        Properties: { HostedZoneId: zoneId, Name: fqdn(email.mailFrom!), Type: type, TTL: DNS_TTL, ResourceRecords: [value] },
      });
      r.EmailMailFromMx = record('MX', mailFromMx(region));
      r.EmailMailFromSpf = record('TXT', MAIL_FROM_SPF);
    }
  }
  return {
    resources: r,
    outputs: {
      emailDomain: email.domain,
      emailConfigurationSet: ref('EmailConfigurationSet'),
      ...(email.mailFrom ? { emailMailFromDomain: email.mailFrom } : {}),
    },
  };
}
