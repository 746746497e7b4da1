import type { ReactNode } from "react";

/** A bordered section with a title bar, the unit W&B-style pages are built from. */
export function Panel({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${className ?? ""}`}>
      {title || actions ? (
        <header className="panel-header">
          <h2 className="panel-title">{title}</h2>
          {actions ? <div className="panel-actions">{actions}</div> : null}
        </header>
      ) : null}
      <div className="panel-body">{children}</div>
    </section>
  );
}
