/** Loading indicators: a spinner with an optional label, and skeleton blocks that hold the layout. */
export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden />
      <span className={label ? "muted" : "sr-only"}>{label ?? "Loading"}</span>
    </span>
  );
}

export function Skeleton({ width, height = 14, className }: { width?: number | string; height?: number | string; className?: string }) {
  return <span className={`skeleton ${className ?? ""}`} style={{ width: width ?? "100%", height }} aria-hidden />;
}

/** Placeholder rows for a table or list that is loading. */
export function SkeletonRows({ rows = 5, height = 18 }: { rows?: number; height?: number }) {
  return (
    <div className="skeleton-rows" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} width={`${70 + ((i * 37) % 30)}%`} />
      ))}
    </div>
  );
}
