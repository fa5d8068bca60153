/**
 * Counts in words: `1 step`, `3 steps`, `0 files`. Every message that counts something says it this
 * way (no `step(s)`).
 */
export function plural(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? word : many;
}

/** `n` and the word for it: `counted(1, 'file')` is `1 file`, `counted(2, 'file')` is `2 files`. */
export function counted(n: number, word: string, many?: string): string {
  return `${n} ${plural(n, word, many)}`;
}
