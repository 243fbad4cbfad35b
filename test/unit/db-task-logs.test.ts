/**
 * The database admin task logs to the env stack's DbAdminLogGroup, so a failed psql shows its
 * error; an env stack from before that output registers the task without a log configuration.
 */
import { taskDefinitionInput, type TaskTarget } from '../../src/database/runner-task';

const target: TaskTarget = {
  family: 'acme-staging-dbadmin',
  cluster: 'acme-staging',
  subnets: ['subnet-0aaa1111'],
  securityGroup: 'sg-0dbadmin',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  tags: [],
};

test('awslogs to the env log group when the env stack publishes one', () => {
  const c = taskDefinitionInput({ ...target, logGroup: '/cyclops/acme/staging/_dbadmin', region: 'eu-west-1' }, {}).containerDefinitions[0];
  expect(c.logConfiguration).toEqual({
    logDriver: 'awslogs',
    options: { 'awslogs-group': '/cyclops/acme/staging/_dbadmin', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'dbadmin' },
  });
  expect(taskDefinitionInput(target, {}).containerDefinitions[0].logConfiguration).toBeUndefined();
});
