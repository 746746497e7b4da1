/**
 * The runs a run page offers to compare with: the same project's recent runs
 * first, then recent runs of other projects, never the run itself nor one
 * twice.
 */
export interface CompareCandidate {
  id: string;
  name: string;
  project: string;
}

export function compareCandidates<R extends CompareCandidate>(current: { id: string; project: string }, sameProject: readonly R[], recent: readonly R[], limit: number): R[] {
  const seen = new Set([current.id]);
  const out: R[] = [];
  for (const r of [...sameProject.filter((r) => r.project === current.project), ...recent]) {
    if (out.length >= limit) break;
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}
