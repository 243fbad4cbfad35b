/**
 * ACM, in cyclops's own types: the certificate `cyclops domains` requests for an app's domains
 * whose DNS zone is elsewhere (DNS validation), found again by its cyclops tags, described for
 * its validation records and status, and deleted once nothing uses it.
 *
 * Sources: RequestCertificate (IdempotencyToken: \w{1,32}, one hour)
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html;
 * DescribeCertificate's DomainValidationOptions, whose ResourceRecord ACM fills in a few
 * seconds after the request https://docs.aws.amazon.com/acm/latest/APIReference/API_DomainValidation.html;
 * ListCertificates lists every status when CertificateStatuses is not given, RSA_2048 keys only
 * unless Includes says otherwise (cyclops requests the default RSA_2048)
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html;
 * DeleteCertificate refuses a certificate in use (ResourceInUseException)
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_DeleteCertificate.html.
 */
import type { Aws } from './client';
import { call, callOr } from './call';
import { awsErrorName as errorName } from './errors';
import { EXTERNAL_DOMAINS_CERTIFICATE, TAG_APP, TAG_CERTIFICATE, TAG_ENV, TAG_PLATFORM, tags, type Ids } from '../naming';

export interface ValidationRecord {
  domain: string;
  /** PENDING_VALIDATION, SUCCESS or FAILED */
  status: string;
  /** the CNAME to create; absent while ACM has not made it yet */
  record?: { name: string; type: string; value: string };
}

export interface CertificateInfo {
  arn: string;
  /** the domain name first, then the other names */
  names: string[];
  /** PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED */
  status: string;
  /** what uses it (load balancers); ACM refuses to delete it while this is not empty */
  inUseBy: string[];
  validation: ValidationRecord[];
  failureReason?: string;
}

export async function describeCertificate(aws: Aws, arn: string): Promise<CertificateInfo | null> {
  const out = await callOr(
    aws,
    `describe certificate ${arn}`,
    () => aws.acm.send(new aws.sdk.acm.DescribeCertificateCommand({ CertificateArn: arn })),
    (e) => (errorName(e) === 'ResourceNotFoundException' ? null : undefined),
  );
  const c = out?.Certificate;
  if (!c) return null;
  return {
    arn,
    names: [c.DomainName!, ...(c.SubjectAlternativeNames ?? []).filter((n) => n !== c.DomainName)],
    status: c.Status ?? 'UNKNOWN',
    inUseBy: c.InUseBy ?? [],
    validation: (c.DomainValidationOptions ?? []).map((o) => ({
      domain: o.DomainName!,
      status: o.ValidationStatus ?? 'PENDING_VALIDATION',
      ...(o.ResourceRecord ? { record: { name: o.ResourceRecord.Name!, type: o.ResourceRecord.Type!, value: o.ResourceRecord.Value! } } : {}),
    })),
    ...(c.FailureReason ? { failureReason: c.FailureReason } : {}),
  };
}

/**
 * The certificates cyclops requested for this app's external domains, described: every
 * certificate of the region whose tags name this platform, env and app (one
 * ListTagsForCertificate per certificate of the account; accounts hold few).
 */
export async function listAppCertificates(aws: Aws, ids: Required<Pick<Ids, 'platform' | 'env' | 'app'>>): Promise<CertificateInfo[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(aws, 'list ACM certificates', () => aws.acm.send(new aws.sdk.acm.ListCertificatesCommand({ NextToken: token })));
    for (const s of page.CertificateSummaryList ?? []) if (s.CertificateArn) arns.push(s.CertificateArn);
    token = page.NextToken;
  } while (token);
  const out: CertificateInfo[] = [];
  for (const arn of arns) {
    const list = await callOr(
      aws,
      `read the tags of certificate ${arn}`,
      () => aws.acm.send(new aws.sdk.acm.ListTagsForCertificateCommand({ CertificateArn: arn })),
      (e) => (errorName(e) === 'ResourceNotFoundException' ? null : undefined), // deleted since the listing
    );
    const t = Object.fromEntries((list?.Tags ?? []).map((x) => [x.Key, x.Value]));
    if (t[TAG_PLATFORM] !== ids.platform || t[TAG_ENV] !== ids.env || t[TAG_APP] !== ids.app || t[TAG_CERTIFICATE] !== EXTERNAL_DOMAINS_CERTIFICATE) continue;
    const info = await describeCertificate(aws, arn);
    if (info) out.push(info);
  }
  return out;
}

/** Request a DNS-validated certificate for `names` (the first is its domain name), tagged as this app's. */
export async function requestCertificate(aws: Aws, ids: Required<Pick<Ids, 'platform' | 'env' | 'app'>>, names: string[], idempotencyToken: string): Promise<string> {
  const [first, ...rest] = names;
  const out = await call(aws, `request a certificate for ${names.join(', ')}`, () =>
    aws.acm.send(
      new aws.sdk.acm.RequestCertificateCommand({
        DomainName: first,
        ...(rest.length ? { SubjectAlternativeNames: names } : {}),
        ValidationMethod: 'DNS',
        IdempotencyToken: idempotencyToken,
        Tags: [...tags(ids), { Key: TAG_CERTIFICATE, Value: EXTERNAL_DOMAINS_CERTIFICATE }],
      }),
    ),
  );
  return out.CertificateArn!;
}

/** Delete a certificate: "in-use" while a listener still has it (ACM refuses), "missing" when gone already. */
export async function deleteCertificate(aws: Aws, arn: string): Promise<'deleted' | 'in-use' | 'missing'> {
  return callOr(
    aws,
    `delete certificate ${arn}`,
    async () => {
      await aws.acm.send(new aws.sdk.acm.DeleteCertificateCommand({ CertificateArn: arn }));
      return 'deleted' as const;
    },
    (e) => (errorName(e) === 'ResourceInUseException' ? ('in-use' as const) : errorName(e) === 'ResourceNotFoundException' ? ('missing' as const) : undefined),
  );
}
