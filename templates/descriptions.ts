/**
 * Security-group descriptions. GroupDescription is create-only: changing it replaces the group,
 * and an env update that replaces the exported service group blocks on every app that imports
 * it. So each is a constant that no config value reaches; these exact texts are the ones
 * existing stacks have.
 */
export const GROUP_DESCRIPTION = {
  loadBalancer: 'cyclops load balancer: public HTTP(S)',
  service: 'cyclops app tasks: reachable only from the load balancer',
  instances: 'ECS container instances (tasks have their own network interfaces)',
  dbAdmin: 'one-off cyclops database admin tasks',
  database: 'PostgreSQL: reachable only from app tasks and database admin tasks',
  redis: 'Redis: reachable only from app tasks',
} as const;
