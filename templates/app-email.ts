/**
 * An app that sends email as its environment's SES identity: what its task role may do, the
 * variables it gets, and, for SMTP, the secrets its containers read.
 *
 * The task role may call ses:SendEmail and ses:SendRawEmail on the identity and the configuration
 * set only: the Service Authorization Reference lists identity (required) and configuration-set
 * as the resource types of both actions, with ARNs
 * arn:${Partition}:ses:${Region}:${Account}:identity/${IdentityName} and
 * arn:${Partition}:ses:${Region}:${Account}:configuration-set/${ConfigurationSetName}
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsimpleemailservicev2.html,
 * and list_amazonses.html for SendRawEmail).
 */
import { smtpSecretName } from '../src/naming';
import { SMTP_PORT } from '../src/email/smtp-password';
import { join, partitionArn, ref, sub, type Value } from './cfn';

export const SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

const sesArn = (kind: 'identity' | 'configuration-set', name: Value): Value =>
  join('', ['arn:', ref('AWS::Partition'), ':ses:', ref('AWS::Region'), ':', ref('AWS::AccountId'), `:${kind}/`, name]);

/** Allow sending as the identity through the configuration set, nothing else (user or role). */
export function sendStatement(domain: Value, configurationSet: Value): Record<string, Value> {
  return { Effect: 'Allow', Action: SEND_ACTIONS, Resource: [sesArn('identity', domain), sesArn('configuration-set', configurationSet)] };
}

/** The JSON keys of the app's SMTP secret: the access key id is the SMTP user name. */
export const SMTP_SECRET_KEYS = { SMTP_USERNAME: 'username', SMTP_PASSWORD: 'password' } as const;

export interface AppEmail {
  environment: { Name: string; Value: Value }[];
  /** ECS container secrets (SMTP only) */
  secrets: { Name: string; ValueFrom: Value }[];
  /** for the execution role: reading the SMTP secret */
  readStatements: Record<string, Value>[];
  /** for the task role */
  sendStatements: Record<string, Value>[];
}

export function appEmail(input: { platform: string; env: string; app: string; smtp: boolean; domain: Value; configurationSet: Value }): AppEmail {
  const environment: AppEmail['environment'] = [
    { Name: 'MAIL_FROM_DOMAIN', Value: input.domain },
    { Name: 'AWS_SES_CONFIGURATION_SET', Value: input.configurationSet },
  ];
  const out: AppEmail = { environment, secrets: [], readStatements: [], sendStatements: [sendStatement(input.domain, input.configurationSet)] };
  if (!input.smtp) return out;
  environment.push({ Name: 'SMTP_HOST', Value: sub('email-smtp.${AWS::Region}.amazonaws.com') }, { Name: 'SMTP_PORT', Value: String(SMTP_PORT) });
  // cyclops stores the secret at deploy (src/ops/email.ts); its ARN ends in a random suffix.
  const partial = `secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${smtpSecretName(input.platform, input.env, input.app)}`;
  for (const [name, key] of Object.entries(SMTP_SECRET_KEYS)) {
    out.secrets.push({ Name: name, ValueFrom: sub(`arn:\${AWS::Partition}:${partial}:${key}::`) });
  }
  out.readStatements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: partitionArn(`${partial}-??????`) });
  return out;
}
