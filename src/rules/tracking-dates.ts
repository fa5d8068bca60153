/**
 * Dates before which AWS recorded no last use (docs/aws-behaviour.md §1.1, §1.4).
 */

/** `password_last_used` tracking began 2014-10-20 (IAM-UG:id_credentials_getting-report.md). */
export const PASSWORD_TRACKING_START = Date.UTC(2014, 9, 20);
/** Access-key last-used tracking began 2015-04-22. */
export const ACCESS_KEY_TRACKING_START = Date.UTC(2015, 3, 22);
/**
 * Password last-used data is missing from 2018-05-03 22:50 PDT to 2018-05-23 14:08 PDT; the end is
 * 2018-05-23T21:08:00Z. A user who signed in only inside the gap shows an earlier last use.
 */
export const PASSWORD_GAP_2018_END = Date.UTC(2018, 4, 23, 21, 8, 0);
