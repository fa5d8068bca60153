/** Where the real CloudTrail fixtures live (test/fixtures/cloudtrail, see its README). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/cloudtrail/', import.meta.url));
/** The one genuinely malformed real file (a record without the comma before it). */
export const MALFORMED = 'zmallen__cloudtrail2sightings/aws.execution.ec2-user-data.json';

/** Every .json/.jsonl fixture, as `folder/file`, sorted. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(FIXTURES, d.name))
        .filter((f) => /\.jsonl?$/.test(f))
        .map((f) => `${d.name}/${f}`),
    )
    .sort();
}
