import type { InputHTMLAttributes } from "react";

/** A labelled input of a form, with an optional hint under it. */
export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      {label}
      <input {...input} />
      {hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}
