test('moto and postgres are up', async () => {
  const r = await fetch(`${process.env.MOTO_ENDPOINT}/moto-api/`);
  expect(r.status).toBeLessThan(500);
  const { Client } = await import('pg');
  const c = new Client({ connectionString: process.env.PG_ADMIN_URL });
  await c.connect();
  const res = await c.query('select 1 as one');
  expect(res.rows[0].one).toBe(1);
  await c.end();
});
