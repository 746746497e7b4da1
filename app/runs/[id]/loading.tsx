import { PageSkeleton } from "@/components/ui/page-skeleton";

/** Shown while the run page's server part loads. */
export default function Loading() {
  return <PageSkeleton />;
}
