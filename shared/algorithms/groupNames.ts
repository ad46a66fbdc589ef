/** Polis names its opinion groups A, B, C, … in group id order (a module of its own: the report's browser script uses it). */
export function groupLetter(groupId: number): string {
  return groupId >= 0 && groupId < 26 ? String.fromCharCode(65 + groupId) : String(groupId);
}
