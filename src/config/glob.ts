/**
 * Glob matching without regular expressions: `*` matches any run of characters (none included),
 * `?` (where allowed) exactly one; everything else is literal. Exemption ARN globs and plan's
 * `--include`/`--exclude` use it, both ignoring case (arnGlob in ./exemptions.ts, matchesAnyIgnoringCase).
 *
 * A pattern turned into a regular expression (`.*` per star) backtracks exponentially:
 * `arn:aws:iam::*:user/*a*a*a…*Z` with 18 stars against a 60-character name ran past 60 s. This is the
 * classic greedy matcher that only ever returns to the most recent star, so it takes at most
 * (text length + 1) × (pattern length + 1) steps: a few thousand for any real ARN.
 */

export interface GlobOptions {
  /** `?` matches one character (exemption ARNs); otherwise it is literal (`--include`). */
  questionMark?: boolean;
  /** Counts the steps taken (tests assert the bound). */
  counter?: { steps: number };
}

export function globMatches(pattern: string, text: string, options: GlobOptions = {}): boolean {
  const one = options.questionMark === true;
  let p = 0;
  let t = 0;
  let star = -1; // pattern index just after the last star seen
  let resume = 0; // text index that star is currently taken to stop at
  let steps = 0;
  try {
    while (t < text.length) {
      steps += 1;
      const c = pattern[p];
      if (c === '*') {
        star = ++p;
        resume = t;
      } else if (p < pattern.length && (c === text[t] || (one && c === '?'))) {
        p += 1;
        t += 1;
      } else if (star !== -1) {
        // Let the last star swallow one more character and retry the rest of the pattern from there.
        p = star;
        t = ++resume;
      } else return false;
    }
    while (pattern[p] === '*') {
      steps += 1;
      p += 1;
    }
    return p === pattern.length;
  } finally {
    if (options.counter) options.counter.steps += steps;
  }
}

/** A compiled glob with the `test` of a RegExp, so callers can keep their shape. */
export interface Glob {
  readonly pattern: string;
  test(text: string): boolean;
}

export function compileGlob(pattern: string, options: Omit<GlobOptions, 'counter'> = {}): Glob {
  // A match starts with the pattern's literal text before its first wildcard and ends with the text
  // after its last: two native string calls turn most texts away (an exemption's ARN glob is asked
  // of every finding of an audit) before the step-by-step matcher runs.
  const wildcard = options.questionMark === true ? /[*?]/ : /\*/;
  const first = pattern.search(wildcard);
  const last = Math.max(
    pattern.lastIndexOf('*'),
    options.questionMark === true ? pattern.lastIndexOf('?') : -1,
  );
  const prefix = first === -1 ? pattern : pattern.slice(0, first);
  const suffix = last === -1 ? pattern : pattern.slice(last + 1);
  return {
    pattern,
    test: (text) => text.startsWith(prefix) && text.endsWith(suffix) && globMatches(pattern, text, options),
  };
}

/**
 * plan's `--include`/`--exclude`: does `pattern` (`*` only) match any of `values` (a principal's name,
 * ARN, account id), ignoring case? IAM names are unique whatever their case and name the same
 * principal in any case (docs/aws-behaviour.md §2), so `--exclude BreakGlass` keeps the user
 * `breakglass`, as an exemption naming it would.
 */
export function matchesAnyIgnoringCase(pattern: string, values: readonly string[]): boolean {
  const lower = asciiLowerCase(pattern);
  return values.some((v) => globMatches(lower, asciiLowerCase(v)));
}

/**
 * `text` with A–Z made a–z and nothing else changed: IAM names are ASCII and IAM ignores only their
 * case. toLowerCase folds more: the Kelvin sign (U+212A) becomes `k` and `İ` two code points, so
 * `--include 'K*'` written with a Kelvin sign planned the user `kim`.
 */
export function asciiLowerCase(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)) : text;
}
