/** IAM's tags (ListUserTags, ListRoleTags, GetAccountAuthorizationDetails, ListVirtualMFADevices) as credsweep holds them. */
import type { Tag } from '@aws-sdk/client-iam';

/**
 * IAM's tags as a record of their keys. Each key is defined as the record's own property: assigning
 * `record['__proto__'] = value` would set the record's prototype instead (to nothing: a string is not
 * an object), and a principal tagged `__proto__` would carry no tag at all.
 */
export function tagsToRecord(tags: Iterable<Tag> | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key === undefined) continue;
    Object.defineProperty(record, tag.Key, {
      value: tag.Value ?? '',
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record;
}
