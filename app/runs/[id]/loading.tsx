import { Skeleton, SkeletonRows } from "@/components/ui/spinner";

/** Shown while the run page's server part loads. */
export default function Loading() {
  return (
    <main className="page" style={{ display: "flex", flexDirection: "column", gap: 12 }} aria-busy="true">
      <Skeleton width={320} height={26} />
      <Skeleton width={480} height={14} />
      <Skeleton height={34} />
      <SkeletonRows rows={8} />
    </main>
  );
}
