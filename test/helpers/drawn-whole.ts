/**
 * True when `text` splits nothing a terminal draws as one (src/reporters/text-width.ts): each VS16
 * right after an emoji, each ZWJ between pictographs, regional indicators in pairs (flags).
 */
export function drawnWhole(text: string): boolean {
  const loneSelector = /(?<!\p{Emoji})\ufe0f/u;
  const looseJoiner =
    /(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}]|\ufe0f)\u200d|\u200d(?!\p{Extended_Pictographic})/u;
  const halfFlag = (text.match(/\p{Regional_Indicator}+/gu) ?? []).some((run) => [...run].length % 2 === 1);
  return !loneSelector.test(text) && !looseJoiner.test(text) && !halfFlag;
}
