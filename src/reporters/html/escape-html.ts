/**
 * Everything from AWS (names, ARNs, tags, reasons, account ids, error messages) passes through here
 * before it reaches the page. Escaping all five characters makes the result safe both as element text
 * and inside a double- or single-quoted attribute value. Control, bidi and zero-width characters are
 * made visible first (`\u202e`, ../printable.ts): a browser renders `\u202E` and `\u200B` as it does on
 * a terminal, so a user name could read as another's in the report someone approves deletions from.
 */
import { revealHidden } from '../printable.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return revealHidden(String(value)).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
