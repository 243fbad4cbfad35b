/**
 * The SES SMTP password derivation. AWS's page ("Obtaining Amazon SES SMTP credentials",
 * https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html) gives the algorithm and a
 * reference Python script but no output for its example key, so the vectors below were computed
 * by running that reference algorithm (Python's hmac/hashlib/base64) on the page's example
 * secret key, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, for three regions.
 */
import { createHmac } from 'node:crypto';
import { smtpHost, smtpPassword } from '../../src/email/smtp-password';

const EXAMPLE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

test.each([
  ['us-east-1', 'BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9'],
  ['us-west-2', 'BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd'],
  ['eu-west-1', 'BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk'],
])('the example key in %s gives the reference script\'s password', (region, expected) => {
  expect(smtpPassword(EXAMPLE_KEY, region)).toBe(expected);
});

test('the password is version 4 followed by a 32-byte signature, and depends on region and key', () => {
  const raw = Buffer.from(smtpPassword(EXAMPLE_KEY, 'eu-central-1'), 'base64');
  expect(raw.length).toBe(33);
  expect(raw[0]).toBe(0x04);
  expect(smtpPassword(EXAMPLE_KEY, 'eu-central-1')).not.toBe(smtpPassword(EXAMPLE_KEY, 'eu-west-1'));
  expect(smtpPassword(`${EXAMPLE_KEY.slice(0, -1)}X`, 'eu-west-1')).not.toBe(smtpPassword(EXAMPLE_KEY, 'eu-west-1'));
  // the password never contains the secret key, in any encoding
  const p = smtpPassword(EXAMPLE_KEY, 'eu-west-1');
  expect(p).not.toContain(EXAMPLE_KEY);
  expect(raw.toString('utf8')).not.toContain(EXAMPLE_KEY);
});

test('it is not the old version-2 password (a plain HMAC of SendRawEmail), which SES no longer accepts', () => {
  const v2 = Buffer.concat([Buffer.from([2]), createHmac('sha256', EXAMPLE_KEY).update('SendRawEmail').digest()]).toString('base64');
  expect(smtpPassword(EXAMPLE_KEY, 'us-east-1')).not.toBe(v2);
});

test('bad input is refused', () => {
  expect(() => smtpPassword('', 'us-east-1')).toThrow(/secret access key/);
  expect(() => smtpPassword(EXAMPLE_KEY, 'US East')).toThrow(/not an AWS region/);
  expect(smtpHost('eu-west-1')).toBe('email-smtp.eu-west-1.amazonaws.com');
});
