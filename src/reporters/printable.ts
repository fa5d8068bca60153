/**
 * Text from IAM and CloudTrail made safe for a terminal. Its own module because the trail command
 * and the remediation renderers need it without the findings model behind the table reporter.
 */

/** Terminal control characters in IAM-supplied text must not reach the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
