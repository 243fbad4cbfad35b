/** Config rules for email (SES): the MAIL FROM domain, apps that send, and the names cyclops sets. */
import type { ParsedConfig } from './schema';
import { mergedAppSettings } from './merge';
import { NO_SMTP_ENDPOINT } from '../email/smtp-password';

type Path = (string | number)[];

/** Variables cyclops sets for an app that sends email. */
export const EMAIL_VARS = ['MAIL_FROM_DOMAIN', 'AWS_SES_CONFIGURATION_SET'];
export const SMTP_VARS = ['SMTP_HOST', 'SMTP_PORT', 'SMTP_USERNAME', 'SMTP_PASSWORD'];

export function emailProblems(c: ParsedConfig, add: (path: Path, message: string) => void): void {
  for (const [name, e] of Object.entries(c.environments)) {
    const email = e.email;
    if (typeof email !== 'object' || !email.mailFrom) continue;
    const domain = email.domain ?? e.dns.domain;
    if (!email.mailFrom.endsWith(`.${domain}`)) {
      add(['environments', name, 'email', 'mailFrom'], `"${email.mailFrom}" is not under the identity's domain ${domain}; SES needs a subdomain such as "bounce.${domain}"`);
    }
  }
  for (const [app, raw] of Object.entries(c.apps)) {
    for (const env of Object.keys(c.environments)) {
      const a = mergedAppSettings(raw, env);
      if (!a.email) continue;
      const own = raw.environments?.[env]?.email !== undefined;
      const at: Path = own ? ['apps', app, 'environments', env, 'email'] : ['apps', app, 'email'];
      if (!c.environments[env].email) {
        add(at, `needs email in environment ${env}; set environments.${env}.email (true sends as ${c.environments[env].dns.domain}), or apps.${app}.environments.${env}.email: false`);
        continue;
      }
      const smtp = typeof a.email === 'object' && a.email.smtp === true;
      const region = c.environments[env].aws?.region ?? c.platform.region;
      if (smtp && (NO_SMTP_ENDPOINT as readonly string[]).includes(region)) {
        add([...at, 'smtp'], `SES has no SMTP endpoint in ${region}, environment ${env}'s region; send through the SDK (email: true) instead`);
      }
      for (const key of [...EMAIL_VARS, ...(smtp ? SMTP_VARS : [])]) {
        if (a.env?.[key] !== undefined || a.secrets?.[key] !== undefined) {
          add(['apps', app, a.env?.[key] !== undefined ? 'env' : 'secrets', key], 'is set by cyclops for an app that sends email; remove it');
        }
      }
    }
  }
}
