import { PageSkeleton } from "@/components/ui/page-skeleton";

/** Shown while the compare page reads its runs. */
export default function Loading() {
  return <PageSkeleton />;
}
