/**
 * The one terminal sanitiser. Text from IAM, CloudTrail, plan and journal files, AWS error messages…
 * must never drive the terminal: no escape sequences (OSC 52 clipboard writes, OSC 8 links, `ESC[2J`),
 * no bell, no bidirectional overrides (U+202E makes `gpj.exe` read `exe.jpg`) or invisible characters.
 * Each such character is made visible as its code, `\u001b`, `\u202e`, so nothing is hidden either.
 *
 *   printable(name)        every control made visible, newlines and tabs too (one value, one line)
 *   terminalText(text)     the same for whole output, keeping newlines and tabs; with `keepSgr`, also
 *                          the colour sequences (ESC [ digits m) credsweep's own table adds
 *   revealHidden(text)     what terminalText does without colour, for a value a reader sees rendered
 *                          elsewhere: the HTML and Markdown reports (escape-html.ts, markdown.ts), where
 *                          U+202E and a zero-width space spoof a name just as on a terminal. CSV, JSON,
 *                          ASFF and OCSF keep the exact text: they are data for other programs.
 *
 * Its own module because every writer needs it without the findings model behind the table reporter;
 * src/cli/terminal-guard.ts applies `terminalText` to every write that reaches a terminal.
 */

// C0, DEL, C1 (\p{Cc}), format characters (\p{Cf}: bidi controls U+202A–U+202E, U+2066–U+2069, U+200E/F,
// zero-width U+200B–U+200D, U+2060, U+FEFF, soft hyphen, tag characters…), and the line and
// paragraph separators U+2028/U+2029 that some terminals and editors treat as newlines.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const UNSAFE_IN_TEXT = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;
const UNSAFE_IN_TEXT_KEEP_SGR =
  /\u001b\[[0-9;]*m|\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;

/** `\u001b` for ESC, `\u{e0041}` beyond the Basic Multilingual Plane. */
export function visibleCode(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value (a name, a message) safe to print: every control and invisible character made visible. */
export function printable(text: string): string {
  return text.replace(UNSAFE, visibleCode);
}

/** Whole output for a terminal: as `printable`, but newlines and tabs (and, if asked, colour) kept. */
export function terminalText(text: string, options: { keepSgr?: boolean } = {}): string {
  if (options.keepSgr) {
    return text.replace(UNSAFE_IN_TEXT_KEEP_SGR, (m) => (m.startsWith('\u001b[') ? m : visibleCode(m)));
  }
  return revealHidden(text);
}

/**
 * Every control, bidi and invisible character made visible as its code, newlines and tabs kept: a
 * name that would render as another name (`admin\u200b`, `\u202egnp.exe`) shows what it is.
 */
export function revealHidden(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, visibleCode);
}

/** True when `text` holds nothing a terminal would interpret (newlines and tabs aside). */
export function isTerminalSafe(text: string): boolean {
  return text.replace(UNSAFE_IN_TEXT, '') === text;
}
