/**
 * Everything from AWS (names, ARNs, tags, reasons, account ids, error messages) passes through here
 * before it reaches the page. Escaping all five characters makes the result safe both as element text
 * and inside a double- or single-quoted attribute value.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
