/**
 * The role credsweep assumes in member accounts unless told otherwise: the one AWS Organizations
 * creates in every account it creates (docs/aws-behaviour.md §5). Its own module so that commands can show it
 * in their help without loading the STS client (assume-role.ts).
 */
export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';
