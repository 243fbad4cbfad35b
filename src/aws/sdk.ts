/**
 * The AWS SDK, in its own bundle (dist/sdk.js). Nothing imports this statically except
 * types: client.ts loads it with import() the first time a command talks to AWS.
 */
export * as s3 from '@aws-sdk/client-s3';
export * as cfn from '@aws-sdk/client-cloudformation';
export * as ecs from '@aws-sdk/client-ecs';
export * as route53 from '@aws-sdk/client-route-53';
export * as rds from '@aws-sdk/client-rds';
export * as secrets from '@aws-sdk/client-secrets-manager';
export * as efs from '@aws-sdk/client-efs';
export * as ecr from '@aws-sdk/client-ecr';
export * as logs from '@aws-sdk/client-cloudwatch-logs';
export * as cloudwatch from '@aws-sdk/client-cloudwatch';
export * as sts from '@aws-sdk/client-sts';
export * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
export * as acm from '@aws-sdk/client-acm';
export * as sns from '@aws-sdk/client-sns';
export * as iam from '@aws-sdk/client-iam';
export * as sesv2 from '@aws-sdk/client-sesv2';
export * as codebuild from '@aws-sdk/client-codebuild';
