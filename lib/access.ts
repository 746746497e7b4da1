/**
 * Who may read and write what. Until accounts exist every run is readable and
 * anyone may create runs; the dashboard's sign-in replaces these checks with
 * sessions, API keys and share links.
 */
export async function canViewRun(_runId: string, _who: { cookie?: string; shareToken?: string }): Promise<boolean> {
  return true;
}

export async function requireViewer(_req: Request): Promise<void> {}

export async function requireRunViewer(_req: Request, _runId: string): Promise<void> {}

/** The account a new run belongs to, from an API key; undefined when anonymous creation is allowed. */
export async function authorizeRunCreation(_req: Request, _apiKey: string | undefined): Promise<{ userId: string } | undefined> {
  return undefined;
}
