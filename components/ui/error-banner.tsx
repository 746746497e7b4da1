"use client";
import { errorText } from "@/lib/browser/client/api";
import { Button } from "./button";

/** Shows an error from the server to the user (never swallowed), with an optional retry. */
export function ErrorBanner({ error, onRetry, onDismiss }: { error: unknown; onRetry?: () => void; onDismiss?: () => void }) {
  if (error === null || error === undefined || error === "") return null;
  return (
    <div className="error-banner" role="alert">
      <span className="error-banner-text">{errorText(error)}</span>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
      {onDismiss ? (
        <Button size="sm" variant="ghost" onClick={onDismiss} aria-label="Dismiss">
          ×
        </Button>
      ) : null}
    </div>
  );
}
