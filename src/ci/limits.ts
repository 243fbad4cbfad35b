/**
 * The longest --timeout a CI job may give (the action refuses longer): IAM's 12-hour maximum
 * session less ten minutes, so the role's session outlives every wait it covers.
 */
export const MAX_SESSION_TIMEOUT_SECONDS = 43200 - 600;
