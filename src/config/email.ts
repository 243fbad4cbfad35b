/** environments.<env>.email, resolved: the SES identity's domain and where its records go. */
import type { ParsedConfig } from './schema';

/**
 * The environment's SES identity. inZone: the domain is the environment's DNS domain or under
 * it, so its DKIM (and MAIL FROM) records go into the environment's zone.
 */
export interface EmailConfig {
  domain: string;
  mailFrom?: string;
  inZone: boolean;
}

export function resolveEmail(raw: ParsedConfig['environments'][string]['email'], zoneDomain: string): EmailConfig | null {
  if (!raw) return null;
  const domain = (typeof raw === 'object' && raw.domain) || zoneDomain;
  const mailFrom = typeof raw === 'object' ? raw.mailFrom : undefined;
  return { domain, ...(mailFrom ? { mailFrom } : {}), inZone: domain === zoneDomain || domain.endsWith(`.${zoneDomain}`) };
}
