/** Accounts over HTTP for tests: sign up, and sign in through next-auth's credentials flow to get a session cookie. */
export interface TestAccount {
  email: string;
  name?: string;
  password: string;
  invite?: string;
}

export async function signUpViaApi(baseUrl: string, account: TestAccount): Promise<Response> {
  return fetch(`${baseUrl}/api/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: account.name ?? account.email.split("@")[0], ...account }),
  });
}

/** Signs in and returns the Cookie header to send, or throws when the credentials are refused. */
export async function signInViaApi(baseUrl: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiePairs(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = cookiePairs(res).find((c) => c.includes("next-auth.session-token="));
  if (!session) throw new Error(`sign-in refused for ${email} (${res.status})`);
  return session;
}

/** Creates the account (first one: admin) and signs in with it. */
export async function signUpAndIn(baseUrl: string, account: TestAccount): Promise<string> {
  const res = await signUpViaApi(baseUrl, account);
  if (!res.ok) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return signInViaApi(baseUrl, account.email, account.password);
}

/** Creates an API key (Settings -> API keys) as the signed-in user; returns it with its id. */
export async function createApiKey(baseUrl: string, cookie: string, name: string): Promise<{ id: string; key: string }> {
  const res = await fetch(`${baseUrl}/api/keys`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const body = (await res.json()) as { ok: boolean; data: { id: string; key: string } };
  if (!body.ok) throw new Error(`POST /api/keys answered ${res.status}: ${JSON.stringify(body)}`);
  return body.data;
}

function cookiePairs(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]);
}
