/**
 * The SES SMTP password of an IAM access key, derived with the algorithm AWS documents in
 * "Obtaining Amazon SES SMTP credentials" (section "Obtaining Amazon SES SMTP credentials by
 * converting existing AWS credentials"):
 * https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html
 *
 * A SigV4 key chain over the fixed date "11111111", the region, "ses" and "aws4_request",
 * then "SendRawEmail"; the version byte 0x04 before the signature; base64. Pure: the secret
 * key is an argument and is never kept, logged or returned.
 */
import { createHmac } from 'node:crypto';

const DATE = '11111111';
const SERVICE = 'ses';
const TERMINAL = 'aws4_request';
const MESSAGE = 'SendRawEmail';
const VERSION = 0x04;

/**
 * Regions without an SES SMTP endpoint (the same page's note): a password derived for them
 * would never be accepted anywhere.
 */
export const NO_SMTP_ENDPOINT = ['af-south-1', 'ap-southeast-3', 'eu-south-1', 'il-central-1', 'me-south-1'] as const;

const hmac = (key: Buffer, message: string): Buffer => createHmac('sha256', key).update(message, 'utf8').digest();

export function smtpPassword(secretAccessKey: string, region: string): string {
  if (!secretAccessKey) throw new Error('an SMTP password needs a secret access key');
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`"${region}" is not an AWS region`);
  let key = hmac(Buffer.from(`AWS4${secretAccessKey}`, 'utf8'), DATE);
  for (const part of [region, SERVICE, TERMINAL, MESSAGE]) key = hmac(key, part);
  return Buffer.concat([Buffer.from([VERSION]), key]).toString('base64');
}

/** The region's SES SMTP endpoint (STARTTLS on 587). */
export const smtpHost = (region: string): string => `email-smtp.${region}.amazonaws.com`;
export const SMTP_PORT = 587;
