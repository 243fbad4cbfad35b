/**
 * src/aws/acm.ts against ACM's own response shapes (aws-sdk-client-mock): what moto cannot
 * show. moto publishes every validation record at once and has no "not yet" state; real ACM
 * answers DescribeCertificate without ResourceRecord for a few seconds after the request, and
 * refuses DeleteCertificate while a listener has the certificate. The PENDING_VALIDATION →
 * ISSUED transition, as DescribeCertificate reports it, is followed to the ARN the stack takes.
 */
import { mockClient } from 'aws-sdk-client-mock';
import * as sdk from '../../src/aws/sdk';
import { deleteCertificate, describeCertificate, listAppCertificates, requestCertificate } from '../../src/aws/acm';
import { certificateToAttach } from '../../src/ops/external-certificate';
import { fakeAwsOf } from './stacks-fakes';

const acm = mockClient(sdk.acm.ACMClient);
const aws = fakeAwsOf('acm');
const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/aaaaaaaa-0000-0000-0000-000000000001';
const ids = { platform: 'acme', env: 'production', app: 'web' };
const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });

beforeEach(() => acm.reset());

const described = (status: string, records: boolean): sdk.acm.DescribeCertificateCommandOutput => ({
  $metadata: {},
  Certificate: {
    CertificateArn: ARN,
    DomainName: 'www.shop.example',
    SubjectAlternativeNames: ['www.shop.example', 'shop.example'],
    Status: status as sdk.acm.CertificateStatus,
    InUseBy: [],
    DomainValidationOptions: ['www.shop.example', 'shop.example'].map((d) => ({
      DomainName: d,
      ValidationStatus: status === 'ISSUED' ? ('SUCCESS' as const) : ('PENDING_VALIDATION' as const),
      ValidationMethod: 'DNS' as const,
      ...(records ? { ResourceRecord: { Name: `_a1.${d}.`, Type: 'CNAME' as const, Value: `_b2.${d}.acm-validations.aws.` } } : {}),
    })),
  },
});

test('right after the request ACM has no ResourceRecord yet; then the records; then ISSUED, which the stack then takes', async () => {
  acm.on(sdk.acm.DescribeCertificateCommand).resolvesOnce(described('PENDING_VALIDATION', false)).resolvesOnce(described('PENDING_VALIDATION', true)).resolves(described('ISSUED', true));
  const early = (await describeCertificate(aws, ARN))!;
  expect(early.names).toEqual(['www.shop.example', 'shop.example']); // the domain name once, first
  expect(early.validation.map((v) => v.record)).toEqual([undefined, undefined]);
  expect(certificateToAttach([early], early.names, undefined)).toBe('');
  const pending = (await describeCertificate(aws, ARN))!;
  expect(pending.validation[1]).toEqual({ domain: 'shop.example', status: 'PENDING_VALIDATION', record: { name: '_a1.shop.example.', type: 'CNAME', value: '_b2.shop.example.acm-validations.aws.' } });
  const issued = (await describeCertificate(aws, ARN))!;
  expect(issued.status).toBe('ISSUED');
  expect(certificateToAttach([issued], ['shop.example', 'www.shop.example'], undefined)).toBe(ARN);
});

test('the app\'s certificates are found by their cyclops tags only', async () => {
  const other = ARN.replace(/1$/, '2');
  acm.on(sdk.acm.ListCertificatesCommand).resolves({ CertificateSummaryList: [{ CertificateArn: ARN }, { CertificateArn: other }] });
  acm.on(sdk.acm.ListTagsForCertificateCommand, { CertificateArn: ARN }).resolves({ Tags: [{ Key: 'cyclops:platform', Value: 'acme' }, { Key: 'cyclops:env', Value: 'production' }, { Key: 'cyclops:app', Value: 'web' }, { Key: 'cyclops:certificate', Value: 'external-domains' }] });
  acm.on(sdk.acm.ListTagsForCertificateCommand, { CertificateArn: other }).resolves({ Tags: [{ Key: 'cyclops:platform', Value: 'acme' }, { Key: 'cyclops:env', Value: 'staging' }, { Key: 'cyclops:app', Value: 'web' }, { Key: 'cyclops:certificate', Value: 'external-domains' }] });
  acm.on(sdk.acm.DescribeCertificateCommand).resolves(described('PENDING_VALIDATION', true));
  expect((await listAppCertificates(aws, ids)).map((c) => c.arn)).toEqual([ARN]);
});

test('the request carries DNS validation, the token and the tags', async () => {
  acm.on(sdk.acm.RequestCertificateCommand).resolves({ CertificateArn: ARN });
  expect(await requestCertificate(aws, ids, ['www.shop.example', 'shop.example'], 'abc123')).toBe(ARN);
  const input = acm.commandCalls(sdk.acm.RequestCertificateCommand)[0].args[0].input;
  expect(input).toMatchObject({ DomainName: 'www.shop.example', SubjectAlternativeNames: ['www.shop.example', 'shop.example'], ValidationMethod: 'DNS', IdempotencyToken: 'abc123' });
  expect(input.Tags).toContainEqual({ Key: 'cyclops:certificate', Value: 'external-domains' });
  expect(input.Tags).toContainEqual({ Key: 'cyclops:app', Value: 'web' });
});

test('delete: in use (a listener still has it) and already gone are outcomes, not failures', async () => {
  acm.on(sdk.acm.DeleteCertificateCommand).rejectsOnce(awsError('ResourceInUseException')).rejectsOnce(awsError('ResourceNotFoundException')).resolves({});
  expect(await deleteCertificate(aws, ARN)).toBe('in-use');
  expect(await deleteCertificate(aws, ARN)).toBe('missing');
  expect(await deleteCertificate(aws, ARN)).toBe('deleted');
});
