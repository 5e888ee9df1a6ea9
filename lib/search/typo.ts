/**
 * Typo tolerance helpers. Candidates come from the vocabulary by trigram
 * similarity (pg_trgm, index-assisted); trigrams alone reject the commonest
 * typo — two swapped letters ("hygeine": similarity 0.33 to "hygiene") — and
 * accept words that merely share a stem, so a candidate is kept only within a
 * small edit distance that counts a swap as one edit.
 */

/** Edit distance (optimal string alignment: insert, delete, substitute, swap two neighbours — each 1). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** The most edits a correction of `word` may need: one for 5–7 letters, two from 8. */
export function maxTypoEdits(word: string): number {
  return word.length >= 8 ? 2 : 1;
}

/**
 * The corrections to search for beside `word`: candidates within
 * {@link maxTypoEdits}, nearest first, then the more common (`ndoc`), at most `limit`.
 */
export function pickCorrections(word: string, candidates: { word: string; ndoc: number }[], limit = 3): string[] {
  const max = maxTypoEdits(word);
  return candidates
    .map((c) => ({ ...c, d: editDistance(word, c.word) }))
    .filter((c) => c.d > 0 && c.d <= max)
    .sort((x, y) => x.d - y.d || y.ndoc - x.ndoc || (x.word < y.word ? -1 : 1))
    .slice(0, limit)
    .map((c) => c.word);
}
