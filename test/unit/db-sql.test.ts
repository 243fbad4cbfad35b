import { generatePassword, scramVerifier } from '../../src/database/password';
import { taskCommand } from '../../src/database/runner-task';
import { bindVars, checkIdentifier, decodeExit, DROP_PLAN, ENSURE_PLAN, psqlScript } from '../../src/database/sql';
import { dbIdentifier } from '../../src/naming';

test('passwords: 43 URL-safe characters from the RNG, never the same twice', () => {
  const seen = new Set(Array.from({ length: 200 }, generatePassword));
  expect(seen.size).toBe(200);
  for (const p of seen) {
    expect(p).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(p)).toBe(p);
  }
});

test('SCRAM verifier: the inputs of the RFC 7677 example give the expected keys', () => {
  // RFC 7677 §3: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations. StoredKey and
  // ServerKey cross-checked with Python's hashlib/hmac; PostgreSQL accepting logins with such a
  // verifier is proven in test/integration/db-direct.test.ts.
  const v = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
  expect(v).toBe('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  expect(v).not.toContain('pencil');
});

test('bindVars turns every :\'name\' into a typed parameter and never splices the value', () => {
  const hostile = `x'; DROP DATABASE postgres; --`;
  const b = bindVars(ENSURE_PLAN.steps[0].sql, { role: hostile, db: 'd', pw: 'p' });
  expect(b.text).not.toContain(hostile);
  expect(b.text).toContain('$1::text');
  expect(b.values).toEqual([hostile, 'p']);
  expect(() => bindVars(ENSURE_PLAN.steps[1].sql, { role: 'r', db: 'd', pw: 'p' })).toThrow('variable rotate is not set');
});

test('no plan builds SQL from a value: every name goes through format(%I) and every literal through :\'var\'', () => {
  for (const plan of [ENSURE_PLAN, DROP_PLAN]) {
    for (const s of [plan.state.sql, ...plan.steps.map((x) => x.sql)]) {
      expect(s).not.toMatch(/\$\{|\|\|/); // no template holes, no string concatenation in SQL
      for (const m of s.matchAll(/:'([a-z]+)'/g)) expect(plan.vars).toContain(m[1]);
    }
  }
});

test('identifiers: at most 63 bytes, no NUL', () => {
  expect(() => checkIdentifier('role', 'a'.repeat(63))).not.toThrow();
  expect(() => checkIdentifier('role', 'é'.repeat(32))).toThrow(/not a usable PostgreSQL identifier/);
  expect(() => checkIdentifier('role', 'a\0b')).toThrow(/not a usable/);
  expect(() => checkIdentifier('name', dbIdentifier('x'.repeat(63)))).not.toThrow();
});

test('exit codes: 100 + state bits, anything else is not success', () => {
  expect(decodeExit(ENSURE_PLAN, 103)).toEqual({ roleCreated: 1, databaseCreated: 1 });
  expect(decodeExit(ENSURE_PLAN, 100)).toEqual({ roleCreated: 0, databaseCreated: 0 });
  expect(decodeExit(ENSURE_PLAN, 104)).toBeNull();
  expect(decodeExit(ENSURE_PLAN, 0)).toBeNull();
  expect(decodeExit(DROP_PLAN, 101)).toEqual({ dropped: 1 });
  expect(decodeExit(DROP_PLAN, 102)).toBeNull();
});

test('the task command is fixed text: psql variables come from the environment, the script is $1', () => {
  const cmd = taskCommand(ENSURE_PLAN);
  expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
  expect(cmd[2]).toContain('-v role="$DB_ROLE" -v db="$DB_NAME" -v pw="$APP_PASSWORD" -v rotate="$DB_ROTATE"');
  expect(cmd[4]).toBe(psqlScript(ENSURE_PLAN));
  expect(cmd[4]).toMatch(/\\gexec/);
  expect(taskCommand(DROP_PLAN)[2]).not.toContain('APP_PASSWORD');
});
