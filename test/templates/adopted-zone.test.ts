/**
 * The cluster template of an environment that adopts the hosted zone an earlier stack of it kept
 * (src/ops/adopt.ts): no zone resource, the kept zone's id wherever the created one was referred
 * to, its name servers as the output (so the parent's delegation stays what it was), and the
 * adoption recorded in the template's Metadata. cfn-lint checks this rendering too (cfn-lint.test.ts).
 */
import { renderCluster } from '../../src/plan';
import type { Template } from '../../templates/cfn';
import { ADOPTED_ZONE_METADATA } from '../../templates/cluster';
import { variants } from './fixtures';

const zone = { id: 'Z0KEPT', nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'] };
const v = variants();
const created = renderCluster(v, 'delegated') as unknown as Template;
const adopted = renderCluster(v, 'delegated', { adoptedZone: zone }) as unknown as Template;

test('the created-zone template makes the zone and refers to it', () => {
  expect(created.Resources.HostedZone?.Type).toBe('AWS::Route53::HostedZone');
  expect(created.Metadata).toBeUndefined();
  expect(JSON.stringify(created.Outputs!.NameServers.Value)).toContain('NameServers');
});

test('the adopted-zone template makes no zone and uses the kept one everywhere the created one was', () => {
  expect(adopted.Resources.HostedZone).toBeUndefined();
  const body = JSON.stringify(adopted);
  expect(body).not.toContain('"Ref":"HostedZone"');
  expect(adopted.Outputs!.HostedZoneId.Value).toBe('Z0KEPT');
  expect(adopted.Outputs!.NameServers.Value).toBe('ns-1.awsdns-01.org,ns-2.awsdns-02.com');
  expect(adopted.Outputs!.NameServers.Export).toEqual(created.Outputs!.NameServers.Export);
  // the certificate validates in the kept zone
  const cert = adopted.Resources.Certificate.Properties as unknown as { DomainValidationOptions: { HostedZoneId: unknown }[] };
  expect(cert.DomainValidationOptions[0].HostedZoneId).toBe('Z0KEPT');
  expect(adopted.Metadata).toEqual({ [ADOPTED_ZONE_METADATA]: { HostedZoneId: 'Z0KEPT', NameServers: zone.nameServers } });
  // nothing else differs: the same resources, less the zone
  expect(Object.keys(adopted.Resources).sort()).toEqual(Object.keys(created.Resources).filter((k) => k !== 'HostedZone').sort());
});

test('a zone named in config wins over an adopted one', () => {
  const named = renderCluster(v, 'imported', { adoptedZone: zone }) as unknown as Template;
  expect(named.Outputs!.HostedZoneId.Value).toBe('Z0IMPORTED');
  expect(named.Metadata).toBeUndefined();
  expect(named.Outputs!.NameServers).toBeUndefined();
});
