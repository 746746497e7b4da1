import type { FormEvent, ReactNode } from "react";
import { Button } from "./button";

/** A one-line form that creates something (an API key, an invite, a worker token): its fields, then its button. */
export function CreateForm({ onSubmit, busy, label, children }: { onSubmit: (e: FormEvent<HTMLFormElement>) => void; busy: boolean; label: string; children: ReactNode }) {
  return (
    <form className="row" onSubmit={onSubmit}>
      {children}
      <Button type="submit" variant="primary" busy={busy}>
        {label}
      </Button>
    </form>
  );
}

/** A secret shown once, right after it was made (a key, an invite link, a worker's command): what to do with it, then it. */
export function ShownOnce({ label, testId, block = false, children }: { label: string; testId: string; block?: boolean; children: ReactNode }) {
  return (
    <div className="notice" role="status">
      <div className="small">{label}</div>
      <code className={block ? "code-block" : undefined} data-testid={testId}>
        {children}
      </code>
    </div>
  );
}
