import { Skeleton, SkeletonRows } from "./spinner";

/** A page's placeholder while its server part loads: title, subtitle, toolbar and rows. */
export function PageSkeleton() {
  return (
    <main className="page" style={{ display: "flex", flexDirection: "column", gap: 12 }} aria-busy="true">
      <Skeleton width={320} height={26} />
      <Skeleton width={480} height={14} />
      <Skeleton height={34} />
      <SkeletonRows rows={8} />
    </main>
  );
}
