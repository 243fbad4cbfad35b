/** App database passwords: generated with a cryptographic RNG, sent to the server only as a SCRAM verifier. */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters from [A-Za-z0-9_-], nothing to escape in a URL. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, as psql's
 * \password computes it). Given as the PASSWORD of CREATE/ALTER ROLE, the server stores it
 * as is, so the plaintext never travels to the server or into its statement log. The
 * password is ASCII (generatePassword), so SASLprep leaves it unchanged.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
