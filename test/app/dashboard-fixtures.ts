/**
 * What the dashboard's browser tests share: a server with a signed-in admin's
 * page, and a trainer stand-in that creates runs and logs points, images and
 * lines over HTTP with the signed-in context's cookies.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { APIRequestContext, Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { startTestServer, type TestServer } from "../helpers/server";
import { chromiumMissing, launchBrowser } from "../helpers/browser";

export const PROMPTS = ["Lebron James with a hat", "Mickael Jackson as a ninja", "Bill Gates with a hoodie"];

/** Creates the first account (the admin) through the sign-up page; the page's context is then signed in. */
export async function signUp(page: Page, baseUrl: string, email = "admin@example.com"): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.fill('input[name="name"]', "Admin");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', "correct horse battery");
  await Promise.all([page.waitForURL((u) => u.pathname === "/", { timeout: 30_000 }), page.click('button[type="submit"]')]);
}

export interface SignedInSession {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * Registers the file's before/after hooks: a fresh server, Chromium, and a page
 * signed in as the admin. `session` is filled in by the time tests run; `skip`
 * says why not when Chromium is missing.
 */
export function signedInSession(viewport = { width: 1280, height: 860 }): { skip: string | undefined; session: SignedInSession } {
  const skip = chromiumMissing();
  const session = {} as SignedInSession;
  before(async () => {
    if (skip) return;
    await openSession(session, viewport);
    await signUp(session.page, session.server.url);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return { skip, session };
}

/** Starts a test server, Chromium and a page into `session`, not signed in. */
export async function openSession(session: SignedInSession, viewport: { width: number; height: number }): Promise<void> {
  session.server = await startTestServer();
  session.browser = await launchBrowser();
  session.context = await session.browser.newContext({ viewport });
  session.page = await session.context.newPage();
}

/** Marks the document so a test can tell that no reload happened. */
export async function markDocument(p: Page) {
  await p.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
}
export async function assertNotReloaded(p: Page) {
  assert.equal(await p.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload), true, "the page reloaded");
}

export class TrainerStub {
  constructor(
    private readonly request: APIRequestContext,
    private readonly baseUrl: string,
    readonly id: string,
    private readonly token: string,
  ) {}

  static async create(request: APIRequestContext, baseUrl: string, body: Record<string, unknown>): Promise<TrainerStub> {
    const res = await request.post(`${baseUrl}/api/runs`, { data: { project: "e2e", ...body } });
    if (res.status() !== 201) throw new Error(`POST /api/runs answered ${res.status()}: ${await res.text()}`);
    const { id, token } = (await res.json()) as { id: string; token: string };
    return new TrainerStub(request, baseUrl, id, token);
  }

  private async post(path: string, data: unknown): Promise<void> {
    const res = await this.request.post(`${this.baseUrl}/api/runs/${this.id}/${path}`, { data, headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok()) throw new Error(`POST ${path} answered ${res.status()}: ${await res.text()}`);
  }

  start(body: Record<string, unknown> = {}) {
    return this.post("start", body);
  }

  /** Logs `values(step)` for each step in [from, to). */
  metrics(from: number, to: number, values: (step: number) => Record<string, number>) {
    const t0 = Date.now() - (to - from) * 1000;
    const points = [];
    for (let step = from; step < to; step++) {
      for (const [key, value] of Object.entries(values(step))) points.push({ key, step, value, time: t0 + (step - from) * 1000 });
    }
    return this.post("metrics", { points });
  }

  logs(lines: { seq: number; text: string; stream?: "stdout" | "stderr" }[]) {
    return this.post("logs", { lines });
  }

  finish(status: "finished" | "failed" = "finished") {
    return this.post("finish", { status });
  }

  /** One validation image per prompt for `epoch`, as the trainer logs them. */
  async validation(epoch: number, step: number, prompts = PROMPTS): Promise<void> {
    for (let i = 0; i < prompts.length; i++) {
      await this.image({ key: "validation", step, epoch, index: i, caption: `${i}: ${prompts[i]}` }, await samplePng(i, epoch));
    }
  }

  /** A sample from the final model, as the server's sampler stores it: key "samples" at the last step, captioned with the prompt. */
  async sample(step: number, prompt: string, index = 0): Promise<void> {
    await this.image({ key: "samples", step, index, caption: prompt }, await samplePng(index, 4));
  }

  private async image(meta: Record<string, unknown>, png: Buffer): Promise<void> {
    const res = await this.request.post(`${this.baseUrl}/api/runs/${this.id}/images`, {
      headers: { authorization: `Bearer ${this.token}` },
      multipart: { meta: JSON.stringify(meta), file: { name: "image.png", mimeType: "image/png", buffer: png } },
    });
    if (!res.ok()) throw new Error(`image upload answered ${res.status()}: ${await res.text()}`);
  }
}

/** A small PNG whose colour depends on the prompt and brightness on the epoch, so grids look like grids. */
export async function samplePng(prompt: number, epoch: number): Promise<Buffer> {
  const hues = [
    [220, 90, 70],
    [70, 140, 220],
    [90, 190, 110],
    [200, 160, 60],
  ];
  const [r, g, b] = hues[prompt % hues.length];
  const k = 0.45 + 0.12 * Math.min(epoch, 4);
  const size = 96;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <rect width="100%" height="100%" fill="rgb(${Math.round(r * k)},${Math.round(g * k)},${Math.round(b * k)})"/>
    <circle cx="${20 + epoch * 14}" cy="${30 + prompt * 16}" r="14" fill="white" fill-opacity="0.7"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A noisy decaying loss, like a fine-tune's. */
export function lossAt(step: number, seed = 0): number {
  const noise = Math.sin(step * 12.9898 + seed * 78.233) * 43758.5453;
  return 0.25 * Math.exp(-step / 400) + 0.05 + 0.04 * (noise - Math.floor(noise) - 0.5);
}
